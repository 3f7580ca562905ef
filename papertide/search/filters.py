"""Whether a paper passes a query's filters and negations. Pure: used on dense hits, which
the vector index cannot filter (the lexical engine applies the same rules itself)."""

from __future__ import annotations

import re
import unicodedata

from papertide.index.query import Query
from papertide.models import Paper


def passes(paper: Paper, query: Query) -> bool:
    """True when `paper` satisfies every filter and contains none of the negated words."""
    return (
        _dates_ok(paper, query)
        and _authors_ok(paper, query)
        and _categories_ok(paper, query)
        and not _has_negated(paper, query)
    )


def _dates_ok(paper: Paper, query: Query) -> bool:
    if query.since is None and query.until is None:
        return True
    if paper.published is None:
        return False
    day = paper.published.date()
    return (query.since is None or day >= query.since) and (
        query.until is None or day <= query.until
    )


def _authors_ok(paper: Paper, query: Query) -> bool:
    names = [_fold(name) for name in paper.authors]
    wanted = all(any(_fold(a) in name for name in names) for a in query.authors)
    unwanted = any(any(_fold(a) in name for name in names) for a in query.not_authors)
    return wanted and not unwanted


def _categories_ok(paper: Paper, query: Query) -> bool:
    def member(category: str) -> bool:
        return any(c == category or c.startswith(category + ".") for c in paper.categories)

    wanted = not query.categories or any(member(c) for c in query.categories)
    return wanted and not any(member(c) for c in query.not_categories)


def _has_negated(paper: Paper, query: Query) -> bool:
    text = _fold(f"{paper.title} {paper.abstract} {' '.join(paper.authors)}")
    words = set(re.findall(r"\w+", text))
    return (
        any(_fold(term) in words for term in query.not_terms)
        or any(_fold(phrase) in text for phrase in query.not_phrases)
        or any(w.startswith(_fold(p)) for p in query.not_prefixes for w in words)
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
