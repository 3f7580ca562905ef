"""Our own one-sentence TL;DR and keywords for a paper, offline (issue #15 point 2).

Both are chosen from the paper's own words, scored with the static embedder (nothing downloaded,
no GPU): the TL;DR is the abstract sentence that best stands for the whole paper (its cosine to
the title+abstract, plus bonuses for "we propose"-style cue phrases and for coming early), with a
leading framing clause ("In this paper,", "To address this, ...") cut off; the keywords are
RAKE-style phrases (word runs between stop words and punctuation, 1 to 4 words) ranked
KeyBERT-style by their cosine to the paper, with bonuses for appearing in the title and for
repeating. The weights were tuned on the dev half of the Daily Papers archive against Hugging
Face's `ai_summary` / `ai_keywords` (papertide/eval/summaries.py, `papertide eval --summaries`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from papertide.index.embed import Embedder, Vectors, paper_text

KEYWORDS_MIN = 5
KEYWORDS_MAX = 8
# Longest keyphrase, in words.
PHRASE_WORDS = 4
# Scores added to a sentence's cosine to the paper (tuned on the dev half).
CUE_BONUS = 0.5
POSITION_BONUS = 0.5
# Scores added to a phrase's cosine to the paper (tuned on the dev half).
TITLE_BONUS = 0.15
REPEAT_BONUS = 0.2
# A keyword below this share of the best keyword's score is left out (never below KEYWORDS_MIN).
KEYWORD_CUTOFF = 0.5

CUES = re.compile(
    r"\b(we (propose|present|introduce|develop|design|show|demonstrate)|this (paper|work) "
    r"(proposes|presents|introduces)|our (method|approach|model|framework))\b",
    re.IGNORECASE,
)
LEADING_CLAUSE = re.compile(
    r"^(in this (paper|work|study|article)|here|in response|to this end"
    r"|[^,;:]{0,150}?(?=,\s+we\b)),\s+",
    re.IGNORECASE,
)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-']*[A-Za-z0-9]|[A-Za-z]")
# Stop words end a keyphrase, as in RAKE; verbs of abstracts too, for want of a tagger.
STOP_TEXT = """
a about above across after against all almost also although am among an and another any are
as at be because been before being below between both but by can could did do does doing
down during each either et etc few for from further had has have having here how however i
if in into is it its itself just less may might more most much must no nor not now of off
often on once only or other our ours out over own per rather same several should since so
some such than that the their them then there these they this those through thus to too
under until up upon us very via was we well were what when where whether which while who
whom whose why will with within without would yet you your al new novel existing various
different many first second third one two three using based use used uses show shows shown
propose proposes proposed present presents presented introduce introduces introduced achieve
achieves achieved demonstrate demonstrates demonstrated improve improves improved enable
enables enabling significantly substantially effectively paper work study approach method
methods results result performance outperforms outperform experiments experimental extensive
across make makes made provide provides including include includes given leads lead remains
remain address addresses addressing typically however challenging key important able state
art
"""
STOP_WORDS = frozenset(STOP_TEXT.split())


@dataclass(frozen=True, slots=True)
class Summary:
    """A paper's TL;DR and its keywords, best first."""

    tldr: str
    keywords: tuple[str, ...]


def sentences(abstract: str) -> list[str]:
    """The abstract's sentences (whitespace collapsed); the whole text when it has no stop."""
    text = " ".join(abstract.split())
    return [s for s in SENTENCE_SPLIT.split(text) if s] if text else []


def compress(sentence: str) -> str:
    """The sentence without a leading framing clause ("In this paper, we ..." -> "We ...")."""
    cut = LEADING_CLAUSE.sub("", sentence, count=1)
    return cut[:1].upper() + cut[1:] if cut else sentence


def candidate_phrases(title: str, abstract: str) -> Counter[str]:
    """RAKE-style candidates: runs of 1..PHRASE_WORDS non-stop words inside one clause, counted."""
    counts: Counter[str] = Counter()
    for clause in re.split(r"[,.;:!?()\[\]{}\"]|\s-\s", f"{title}. {abstract}"):
        run: list[str] = []
        for word in [*WORD.findall(clause), ""]:
            if word and word.lower() not in STOP_WORDS and not word.isdigit():
                run.append(word)
                continue
            if 0 < len(run) <= PHRASE_WORDS:
                counts[" ".join(run)] += 1
            elif len(run) > PHRASE_WORDS:  # a long run: its trailing PHRASE_WORDS words
                counts[" ".join(run[-PHRASE_WORDS:])] += 1
            run = []
    return counts


class Summariser:
    """TL;DRs and keywords with one embedder shared by every call."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def summarise(self, title: str, abstract: str) -> Summary:
        return self.summarise_many([(title, abstract)])[0]

    def summarise_many(self, papers: Sequence[tuple[str, str]]) -> list[Summary]:
        """The summaries of (title, abstract) pairs, with one embedder call for all their texts:
        the tokenizer's cost is mostly per call (one call per paper and part took 88 of the 160 s
        of `papertide index` on the demo), and a text several papers share (a quarter of the
        phrases of 500 papers) is embedded once. The same summaries as one paper at a time."""
        drafts = [_Draft.of(title, abstract) for title, abstract in papers]
        rows = {text: 0 for draft in drafts for text in draft.texts}
        for row, text in enumerate(rows):
            rows[text] = row
        vectors = self.embedder.embed(list(rows))
        return [draft.summary(vectors[[rows[text] for text in draft.texts]]) for draft in drafts]

    def tldr(self, title: str, abstract: str) -> str:
        """The abstract sentence scored best (cosine to the paper + cue + position), compressed."""
        found = sentences(abstract)
        if not found:
            return " ".join(title.split())
        vectors = self.embedder.embed([paper_text(title, abstract), *found])
        return pick_tldr(found, vectors[0], vectors[1:])

    def keywords(self, title: str, abstract: str) -> tuple[str, ...]:
        """KEYWORDS_MIN..KEYWORDS_MAX phrases ranked by cosine to the paper plus bonuses."""
        counts = candidate_phrases(title, abstract)
        phrases = spellings(counts)
        if not phrases:
            return ()
        vectors = self.embedder.embed([paper_text(title, abstract), *phrases])
        return pick_keywords(title, phrases, counts, vectors[0], vectors[1:])


@dataclass(frozen=True, slots=True)
class _Draft:
    """One paper's texts to embed: the paper, its sentences, its candidate phrases."""

    title: str
    found: list[str]
    counts: Counter[str]
    phrases: list[str]
    texts: list[str]

    @classmethod
    def of(cls, title: str, abstract: str) -> _Draft:
        found = sentences(abstract)
        counts = candidate_phrases(title, abstract)
        phrases = spellings(counts)
        return cls(title, found, counts, phrases, [paper_text(title, abstract), *found, *phrases])

    def summary(self, vectors: Vectors) -> Summary:
        """The summary from the vectors of `texts`, in order."""
        rows = len(self.found)
        tldr = (
            pick_tldr(self.found, vectors[0], vectors[1 : 1 + rows])
            if self.found
            else " ".join(self.title.split())
        )
        keywords = (
            pick_keywords(self.title, self.phrases, self.counts, vectors[0], vectors[1 + rows :])
            if self.phrases
            else ()
        )
        return Summary(tldr, keywords)


def spellings(counts: Counter[str]) -> list[str]:
    """One spelling per lowercased phrase (the most frequent), most frequent first."""
    by_key: dict[str, str] = {}
    for phrase, _ in counts.most_common():
        by_key.setdefault(phrase.lower(), phrase)
    return list(by_key.values())


def pick_tldr(found: Sequence[str], paper: Vectors, vectors: Vectors) -> str:
    """The sentence of `found` (their `vectors`) scored best against the `paper` vector."""
    scores = vectors @ paper
    for i, sentence in enumerate(found):
        scores[i] += CUE_BONUS * bool(CUES.search(sentence))
        scores[i] += POSITION_BONUS * (1 - i / len(found))
    return compress(found[int(np.argmax(scores))])


def pick_keywords(
    title: str, phrases: Sequence[str], counts: Counter[str], paper: Vectors, vectors: Vectors
) -> tuple[str, ...]:
    """The best of `phrases` (their `vectors`) against the `paper` vector, title and repeats
    adding to the score; no phrase inside another one chosen."""
    scores = vectors @ paper
    title_lower = title.lower()
    for i, phrase in enumerate(phrases):
        scores[i] += TITLE_BONUS * (phrase.lower() in title_lower)
        scores[i] += REPEAT_BONUS * min(counts[phrase] - 1, 3)
    order = np.argsort(-scores, kind="stable")
    chosen: list[str] = []
    for i in order:
        phrase = phrases[int(i)]
        if len(chosen) >= KEYWORDS_MIN and scores[i] < KEYWORD_CUTOFF * scores[order[0]]:
            break
        if not any(phrase.lower() in c.lower() or c.lower() in phrase.lower() for c in chosen):
            chosen.append(phrase)
        if len(chosen) == KEYWORDS_MAX:
            break
    return tuple(chosen)
