"""Our TL;DRs and keywords (papertide/index/summaries.py) against Hugging Face's own.

The Daily Papers archive's `ai_summary` / `ai_keywords` are the reference. Papers split into a dev
half and a test half by a hash of the arXiv id; the summariser's weights were tuned on dev only and
test is what we report. Keywords: precision/recall/F1@k of normalised phrases (lowercased, simple
plural stemming, punctuation stripped), beside the top tf-idf terms. TL;DR: ROUGE-L F1 (word LCS)
and the static embedder's cosine, beside the abstract's first sentence and a random sentence.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from papertide.eval.datasets import DAILY_PAPERS_FILE
from papertide.index.embed import Embedder
from papertide.index.summaries import KEYWORDS_MAX, Summariser, candidate_phrases, sentences

SPLITS = ("dev", "test")
KEYWORD_K = KEYWORDS_MAX
OURS = "papertide"
TFIDF = "tf-idf top terms"
FIRST = "first sentence"
RANDOM = "random sentence"
TOKEN = re.compile(r"[a-z0-9]+")
# The test-half figures as bench/summaries.py last measured them (shown on /about).
FIGURES_FILE = Path(__file__).with_name("summaries_figures.json")


@dataclass(frozen=True, slots=True)
class ReferencePaper:
    arxiv_id: str
    title: str
    abstract: str
    summary: str  # Hugging Face's ai_summary, "" when absent
    keywords: tuple[str, ...]  # Hugging Face's ai_keywords, () when absent


@dataclass(frozen=True, slots=True)
class KeywordRow:
    name: str
    precision: float
    recall: float
    f1: float
    papers: int


@dataclass(frozen=True, slots=True)
class TldrRow:
    name: str
    rouge_l: float
    cosine: float
    papers: int


@dataclass(frozen=True, slots=True)
class SummaryReport:
    split: str
    keywords: tuple[KeywordRow, ...]
    tldrs: tuple[TldrRow, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> SummaryReport:
        return cls(
            body["split"],
            tuple(KeywordRow(**row) for row in body["keywords"]),
            tuple(TldrRow(**row) for row in body["tldrs"]),
        )

    def ours_beat_baselines(self) -> bool:
        """Ours above every baseline on F1@k, ROUGE-L and cosine."""
        kw = {row.name: row for row in self.keywords}
        tl = {row.name: row for row in self.tldrs}
        return all(kw[OURS].f1 > r.f1 for r in self.keywords if r.name != OURS) and all(
            tl[OURS].rouge_l > r.rouge_l and tl[OURS].cosine > r.cosine
            for r in self.tldrs
            if r.name != OURS
        )

    def table(self) -> str:
        lines = [
            f"Keywords vs Hugging Face ai_keywords ({self.split} half, @{KEYWORD_K}):",
            f"{'method':<20} {'P':>6} {'R':>6} {'F1':>6} {'papers':>7}",
            *(
                f"{r.name:<20} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} {r.papers:7d}"
                for r in self.keywords
            ),
            "",
            f"TL;DR vs Hugging Face ai_summary ({self.split} half):",
            f"{'method':<20} {'ROUGE-L':>8} {'cosine':>7} {'papers':>7}",
            *(f"{r.name:<20} {r.rouge_l:8.3f} {r.cosine:7.3f} {r.papers:7d}" for r in self.tldrs),
        ]
        return "\n".join(lines)


def split_of(arxiv_id: str) -> str:
    """dev or test, fixed by the id's hash."""
    return SPLITS[hashlib.sha256(arxiv_id.encode()).digest()[0] % 2]


def load_reference(data_dir: Path) -> list[ReferencePaper]:
    """Archive papers with a summary or keywords, one per arXiv id (its first row), in id order."""
    papers: dict[str, ReferencePaper] = {}
    with gzip.open(data_dir / DAILY_PAPERS_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            summary, keywords = row.get("ai_summary") or "", tuple(row.get("ai_keywords") or ())
            if row["arxiv_id"] in papers or not (summary or keywords) or not row.get("abstract"):
                continue
            papers[row["arxiv_id"]] = ReferencePaper(
                row["arxiv_id"], row["title"], row["abstract"], summary, keywords
            )
    return [papers[key] for key in sorted(papers)]


def normalise(phrase: str) -> str:
    """Lowercased words without punctuation, each with a plural -s/-es/-ies stemmed."""
    return " ".join(stem(word) for word in TOKEN.findall(phrase.lower()))


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def keyword_scores(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall, F1 of the first KEYWORD_K predictions, exact normalised phrase match."""
    ours = list(dict.fromkeys(normalise(p) for p in predicted[:KEYWORD_K]))
    reference = {normalise(g) for g in gold}
    hits = sum(p in reference for p in ours)
    precision = hits / len(ours) if ours else 0.0
    recall = hits / len(reference) if reference else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta 1) of lowercased word tokens: longest common subsequence."""
    a, b = TOKEN.findall(candidate.lower()), TOKEN.findall(reference.lower())
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    return 0.0 if lcs == 0 else 2 * lcs / (len(a) + len(b))


def tfidf_keywords(papers: Sequence[ReferencePaper]) -> list[list[str]]:
    """Baseline: each paper's KEYWORD_K highest tf-idf single words (idf over the papers)."""
    docs = [Counter(p.lower() for p in candidate_words(x.title, x.abstract)) for x in papers]
    df = Counter(word for doc in docs for word in doc)
    idf = {word: math.log(len(docs) / n) for word, n in df.items()}
    return [sorted(doc, key=lambda w: (-doc[w] * idf[w], w))[:KEYWORD_K] for doc in docs]


def candidate_words(title: str, abstract: str) -> Iterable[str]:
    """The non-stop words of the paper, with repeats."""
    for phrase, count in candidate_phrases(title, abstract).items():
        for word in phrase.split():
            yield from [word] * count


def random_sentence(paper: ReferencePaper) -> str:
    found = sentences(paper.abstract) or [paper.title]
    return random.Random(paper.arxiv_id).choice(found)


def first_sentence(paper: ReferencePaper) -> str:
    return (sentences(paper.abstract) or [paper.title])[0]


def evaluate_summaries(
    papers: Sequence[ReferencePaper], embedder: Embedder, split: str
) -> SummaryReport:
    """Ours and the baselines on the papers of one split."""
    chosen = [p for p in papers if split_of(p.arxiv_id) == split]
    summariser = Summariser(embedder)
    with_keywords = [p for p in chosen if p.keywords]
    keyword_methods: dict[str, list[Sequence[str]]] = {
        OURS: [summariser.keywords(p.title, p.abstract) for p in with_keywords],
        TFIDF: list(tfidf_keywords(with_keywords)),
    }
    keyword_rows = tuple(
        keyword_row(name, predicted, [p.keywords for p in with_keywords])
        for name, predicted in keyword_methods.items()
    )
    with_summary = [p for p in chosen if p.summary]
    tldr_methods: dict[str, Callable[[ReferencePaper], str]] = {
        OURS: lambda p: summariser.tldr(p.title, p.abstract),
        FIRST: first_sentence,
        RANDOM: random_sentence,
    }
    references = embedder.embed([p.summary for p in with_summary])
    tldr_rows = []
    for name, method in tldr_methods.items():
        tldrs = [method(p) for p in with_summary]
        cosines = np.sum(embedder.embed(tldrs) * references, axis=1)
        rouge = [rouge_l(t, p.summary) for t, p in zip(tldrs, with_summary, strict=True)]
        tldr_rows.append(
            TldrRow(name, mean(rouge), float(cosines.mean()) if len(tldrs) else 0.0, len(tldrs))
        )
    return SummaryReport(split, keyword_rows, tuple(tldr_rows))


def keyword_row(
    name: str, predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> KeywordRow:
    scores = [keyword_scores(p, g) for p, g in zip(predicted, gold, strict=True)]
    return KeywordRow(
        name,
        mean(s[0] for s in scores),
        mean(s[1] for s in scores),
        mean(s[2] for s in scores),
        len(scores),
    )


def mean(values: Iterable[float]) -> float:
    found = list(values)
    return sum(found) / len(found) if found else 0.0


def published_figures() -> tuple[str, SummaryReport] | None:
    """(the date measured, the test-half report) from FIGURES_FILE; None before a bench run."""
    if not FIGURES_FILE.exists():
        return None
    body = json.loads(FIGURES_FILE.read_text())
    return body["measured"], SummaryReport.from_dict(body)
