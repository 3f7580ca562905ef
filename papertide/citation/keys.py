"""Citation keys and author names: the one place that decides them for every export (BibTeX,
RIS, CSL-JSON; pages, downloads, CLI). Pure.

A key is `surname + year + first significant title word` (smith2025deep), ASCII lower case.
Within one export the keys are unique: when several papers share a key, all of them get a
suffix `a`, `b`, ... in the order of their paper ids, so a paper's key does not depend on the
order in which the export lists its papers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import count, product
from string import ascii_lowercase

from papertide.citation.latex import ascii_fold
from papertide.models import Paper

STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards", "via"}
)
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la",
                       "le", "ten", "ter", "dos", "das", "zu"})  # fmt: skip
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}$")
_TITLE_WORD = re.compile(r"[^\W\d_]+")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class Name:
    """An author's name split for citations; `given` is empty for a one-word or group name."""

    family: str
    given: str = ""
    suffix: str = ""

    @property
    def inverted(self) -> str:
        """ "Family, Given" (or "Family, Suffix, Given"), as RIS and citation_author want."""
        parts = [self.family, self.suffix, self.given]
        return ", ".join(part for part in parts if part)


def split_name(name: str) -> Name:
    """ "Ada King Lovelace" -> Lovelace / Ada King; "van der Berg, Jan" and "Jan van der Berg"
    -> van der Berg / Jan; "Martin Luther King Jr." -> King / Martin Luther / Jr."""
    name = " ".join(name.split())
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        return Name(family, given) if family else Name(given)
    words = name.replace(",", " ").split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in NAME_SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return Name(" ".join(words), "", suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return Name(" ".join(words[start:]), " ".join(words[:start]), suffix)


def paper_year(paper: Paper) -> int | None:
    """Year of first publication: the published date, else the yymm of a new-style id."""
    if paper.published:
        return paper.published.year
    match = _NEW_STYLE_ID.match(paper.id)
    return 2000 + int(match[1]) if match else None


def base_key(paper: Paper) -> str:
    """surname + year + first significant title word: "Émile Zola", 2024, "The Fast..." ->
    zola2024fast; "anon" without an author, "paper" without a title word."""
    surname = ascii_fold(split_name(paper.authors[0]).family) if paper.authors else ""
    title = _LATEX_COMMAND.sub(" ", paper.title)
    words = (ascii_fold(word) for word in _TITLE_WORD.findall(title))
    word = next((w for w in words if w and w not in STOPWORDS), "paper")
    return f"{surname or 'anon'}{paper_year(paper) or ''}{word}"


class CitationKeys:
    """The unique key of each paper of one export.

    Built from every paper of the export first (only ids and keys are kept, so a whole store
    fits); `key` also answers for a paper it was not built with, after all the others.
    """

    def __init__(self, papers: Iterable[Paper]) -> None:
        groups: dict[str, set[str]] = defaultdict(set)
        for paper in papers:
            groups[base_key(paper)].add(paper.id)
        self._taken = set(groups)  # a shared key is never given bare, even to a late paper
        self._keys = {next(iter(ids)): key for key, ids in groups.items() if len(ids) == 1}
        for key in sorted(groups):
            if len(groups[key]) > 1:
                for paper_id in sorted(groups[key]):
                    self._keys[paper_id] = self._free(key)

    def key(self, paper: Paper) -> str:
        """The paper's key in this export."""
        known = self._keys.get(paper.id)
        if known is None:
            base = base_key(paper)
            known = self._keys[paper.id] = base if base not in self._taken else self._free(base)
            self._taken.add(known)
        return known

    def _free(self, base: str) -> str:
        key = next(base + suffix for suffix in _suffixes() if base + suffix not in self._taken)
        self._taken.add(key)
        return key


def _suffixes() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ..."""
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield "".join(letters)
