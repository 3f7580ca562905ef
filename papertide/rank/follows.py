"""Whether a paper matches something a user follows (an author, a category, a keyword, an
organisation). Pure.

Authors match by name with case, accents and spacing ignored; categories by arXiv name, case
ignored; keywords as a whole phrase of the title or abstract, case and accents ignored;
organisations by slug.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from papertide.models import Follow


@dataclass(frozen=True, slots=True)
class FollowKeys:
    """A paper's text, authors and categories, folded once for matching many follows, and
    the slugs of its organisations."""

    text: str
    authors: frozenset[str]
    categories: frozenset[str]
    orgs: frozenset[str] = frozenset()


def fold(text: str) -> str:
    """Lower case, accents stripped, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def follow_keys(
    text: str, authors: Sequence[str], categories: Sequence[str], orgs: Sequence[str] = ()
) -> FollowKeys:
    """The folded keys of one paper (`orgs`: its organisations' slugs)."""
    return FollowKeys(
        fold(text), frozenset(map(fold, authors)), frozenset(map(fold, categories)), frozenset(orgs)
    )


def matches_follow(follow: Follow, keys: FollowKeys) -> bool:
    """Whether the paper with these keys matches `follow`."""
    wanted = fold(follow.value)
    if not wanted:
        return False
    if follow.kind == "author":
        return wanted in keys.authors
    if follow.kind == "category":
        return wanted in keys.categories
    if follow.kind == "org":
        return follow.value in keys.orgs
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", keys.text) is not None


def follow_reason(follow: Follow) -> str:
    """The reason shown when a recommendation matches `follow`."""
    if follow.kind == "author":
        return f"by {follow.value}, whom you follow"
    if follow.kind == "category":
        return f"in {follow.value}, which you follow"
    if follow.kind == "org":
        return f"from the organisation {follow.value}, which you follow"
    return f"mentions “{follow.value}”, which you follow"
