"""Words of a text as the term features count them: lower-cased, accent-stripped, 2+ characters
starting with a letter, English stop words removed (rank/terms.py's tf-idf rows and
search/centered.py's centered tf-idf cosine share them); and a text's word counts as numbers
(TermCounts), as `papertide index` stores them (index/term_index.py) and queries read them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

TOKEN = re.compile(r"[a-z][a-z0-9_]+")
# The most frequent English function words (after scikit-learn's ENGLISH_STOP_WORDS, trimmed
# to words that occur in abstracts); idf takes care of frequent content words.
_STOP_TEXT = """
    a about above across after again against all almost alone along already also although
    always am among an and another any anyhow anyone anything anyway anywhere are around as at
    be became because become becomes been before being below beside besides between beyond both
    but by can cannot could did do does doing done down due during each either else enough etc
    even ever every few for from further had has have having he her here hers herself him
    himself his how however i ie if in into is it its itself just least less many may me might
    more moreover most mostly much must my myself neither never nevertheless no nor not now of
    off often on once one only onto or other others otherwise our ours ourselves out over own
    per perhaps rather same several she should since so some such than that the their them
    themselves then thence there thereby therefore these they this those though through
    throughout thus to together too toward towards under until up upon us very via was we well
    were what whatever when whence whenever where whereas whether which while who whole whom
    whose why will with within without would yet you your yours yourself"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True, slots=True)
class TermCounts:
    """A text's distinct words (stop words too) as word_hash numbers, in order of first
    appearance, and how often each occurs."""

    words: npt.NDArray[np.uint64]
    counts: npt.NDArray[np.integer[Any]]


@lru_cache(maxsize=1 << 18)
def word_hash(word: str) -> int:
    """A word's stable 64-bit id: the first 8 bytes of its BLAKE2b digest (the same in every
    process and release, unlike hash()). Two words share one with probability about
    words^2 / 2^65 (3e-8 for a million distinct words); `papertide index` checks the words
    it reads and logs any that do (index/term_index.py)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def term_counts(text: str) -> TermCounts:
    """The counts of `words(text)`, as TermCounts."""
    return counted_terms(Counter(words(text)))


def counted_terms(counted: Counter[str]) -> TermCounts:
    """Counted words as TermCounts."""
    size = len(counted)
    return TermCounts(
        np.fromiter(map(word_hash, counted), np.uint64, size),
        np.fromiter(counted.values(), np.int64, size),
    )


# word_hash of every stop word, sorted
STOP_HASHES = np.sort(np.fromiter(map(word_hash, STOP_WORDS), np.uint64, len(STOP_WORDS)))


def tokenize(text: str) -> list[str]:
    """Lower-cased, accent-stripped words of 2+ characters, stop words removed, in order."""
    return [word for word in words(text) if word not in STOP_WORDS]


def words(text: str) -> list[str]:
    """tokenize's words with the stop words kept (for a caller that drops them by column)."""
    return TOKEN.findall(_folded(text))


def _folded(text: str) -> str:
    lowered = text.lower()
    if not lowered.isascii():  # the fast path skips Unicode decomposition (3x faster)
        lowered = unicodedata.normalize("NFKD", lowered).translate(_COMBINING_MARKS)
    return lowered


class _CombiningMarks(dict[int, int | None]):
    """str.translate's table deleting every combining character, filled as characters are
    first met (a table of all of Unicode took 0.2 to 0.9 s to build, in the first request
    that met an accent)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_COMBINING_MARKS = _CombiningMarks()
