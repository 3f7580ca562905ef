"""Words of a text as the term features count them: lower-cased, accent-stripped, 2+ characters
starting with a letter, English stop words removed (rank/terms.py's tf-idf rows and
search/centered.py's centered tf-idf cosine share them)."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

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


def tokenize(text: str) -> list[str]:
    """Lower-cased, accent-stripped words of 2+ characters, stop words removed, in order."""
    return [word for word in words(text) if word not in STOP_WORDS]


def words(text: str) -> list[str]:
    """tokenize's words with the stop words kept (for a caller that drops them by column)."""
    return TOKEN.findall(_folded(text))


def _folded(text: str) -> str:
    lowered = text.lower()
    if not lowered.isascii():  # the fast path skips Unicode decomposition (3x faster)
        lowered = unicodedata.normalize("NFKD", lowered).translate(_combining_marks())
    return lowered


@cache
def _combining_marks() -> dict[int, None]:
    """str.translate's table deleting every combining character (built once, in 0.2 s)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}
