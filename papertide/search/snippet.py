"""Pick the fragment of a text that best shows why it matched, and where the matches are.

Pure: plain text in, plain text and character spans out. No markup is ever put in the text;
the web layer escapes the fragment and marks the spans up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SNIPPET_WIDTH_CHARS = 240
_MIN_WIDTH_CHARS = 20
_LEAD_CHARS = 40  # context kept before the first match when the window has to start later
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Snippet:
    """`text` is a fragment of the (white-space-collapsed) input; `spans` are the [start, end)
    character offsets of matched words in `text`. `clipped_start`/`clipped_end` say whether
    text was left out before or after (the web layer shows an ellipsis)."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()
    clipped_start: bool = False
    clipped_end: bool = False


def fold_word(word: str) -> str:
    """Case- and accent-insensitive form of a word: the default way to compare words."""
    if word.isascii():  # the common case, and a hot loop: casefold and NFKD change nothing else
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def make_snippet(
    text: str,
    terms: Iterable[str],
    width: int = SNIPPET_WIDTH_CHARS,
    normalize: Callable[[str], str] = fold_word,
) -> Snippet:
    """The window of about `width` characters with the most distinct matched terms.

    `terms` are words, phrases (each of their words is matched) or prefixes ending in `*`.
    `normalize` maps a word to its comparison key: pass the index's analyzer (stemming) so
    that "models" highlights "model". Without matches the snippet is the start of the text.
    """
    flat = " ".join(text.split())
    width = max(width, _MIN_WIDTH_CHARS)
    words, prefixes = _keys(terms, normalize)
    if not (words or prefixes):  # nothing to look for: the start
        found: Iterable[re.Match[str]] = ()
    elif normalize is fold_word and flat.isascii():
        found = _candidates(flat, words, prefixes)
    else:
        found = _WORD.finditer(flat)
    spans = [(m.start(), m.end(), _match(m[0], words, prefixes, normalize)) for m in found]
    hits = [(start, end, key) for start, end, key in spans if key is not None]
    begin = _fill_back(flat, _best_start(flat, hits, width), width)
    end = _cut_end(flat, begin, width)
    fragment = flat[begin:end]
    inside = tuple((s - begin, e - begin) for s, e, _ in hits if s >= begin and e <= end)
    return Snippet(fragment, inside, clipped_start=begin > 0, clipped_end=end < len(flat))


def _keys(terms: Iterable[str], normalize: Callable[[str], str]) -> tuple[set[str], set[str]]:
    words: set[str] = set()
    prefixes: set[str] = set()
    for term in terms:
        if term.endswith("*") and _WORD.fullmatch(term.rstrip("*")):
            prefixes.add(fold_word(term.rstrip("*")))
        else:
            words.update(key for key in map(normalize, _WORD.findall(term)) if key)
    return words, prefixes


def _candidates(text: str, words: set[str], prefixes: set[str]) -> Iterable[re.Match[str]]:
    """The words of an ASCII `text` that are one of `words` or start with one of `prefixes`,
    for _match to key: one regular expression (cached by `re` while the keys repeat, as they
    do across a result page) over the lower-cased text, as long as the text, so offsets hold.
    Other words never reach Python: 10 abstracts in 0.7 ms, not 2.5 ms word by word."""
    keys = [rf"{re.escape(word)}(?!\w)" for word in sorted(words) if word.isascii()]
    keys += [re.escape(prefix) for prefix in sorted(prefixes) if prefix.isascii()]
    if not keys:  # a non-ASCII key folds to no ASCII word
        return ()
    return re.finditer(rf"(?<!\w)(?:{'|'.join(keys)})\w*", text.lower())


def _match(
    word: str, words: set[str], prefixes: set[str], normalize: Callable[[str], str]
) -> str | None:
    """The key a word matched under, or None."""
    folded = fold_word(word)
    key = folded if normalize is fold_word else normalize(word)
    if key in words:
        return key
    return next((prefix for prefix in prefixes if folded.startswith(prefix)), None)


def _best_start(text: str, hits: list[tuple[int, int, str]], width: int) -> int:
    """Start of the window holding the most distinct keys, then the most matches, earliest."""
    if not hits or hits[-1][1] <= width:
        return 0
    lead = min(_LEAD_CHARS, width // 4)
    best, best_rank = 0, (-1, -1)
    for first, (start, _, _) in enumerate(hits):
        inside = [key for s, e, key in hits[first:] if e <= start + width - lead]
        rank = (len(set(inside)), len(inside))
        if rank > best_rank:
            best, best_rank = start, rank
    return _back_off(text, best, lead)


def _back_off(text: str, start: int, lead: int) -> int:
    """Move a window start back to a sentence start or a word start, keeping some context."""
    floor = max(0, start - lead)
    sentence = max(text.rfind(". ", floor, start), text.rfind("? ", floor, start))
    if sentence >= 0:
        return sentence + 2
    if floor == 0:
        return 0
    space = text.find(" ", floor, start)
    return start if space < 0 else space + 1


def _fill_back(text: str, begin: int, width: int) -> int:
    """Near the end of the text, start earlier so the fragment still fills `width`: at the
    first sentence start available, else at a word start."""
    earliest = max(0, len(text) - width)
    if begin <= earliest:
        return begin
    if earliest == 0:
        return 0
    sentence = text.find(". ", earliest - 1, begin)
    if sentence >= 0:
        return sentence + 2
    space = text.find(" ", earliest - 1, begin)
    return begin if space < 0 else space + 1


def _cut_end(text: str, begin: int, width: int) -> int:
    """End of the fragment: at most `width` characters, not in the middle of a word."""
    end = begin + width
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", begin, end + 1)
    return end if space <= begin else space
