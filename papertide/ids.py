"""arXiv identifiers: parse, normalise and generate. Pure: no I/O.

Canonical form (https://info.arxiv.org/help/arxiv_identifier.html): new style `YYMM.NNNNN`
(4 digits before 2015), old style `archive/YYMMNNN` without the subject class (`math.AG/0601001`
is `math/0601001`). Versions (`v2`) are split off; `arXiv:` prefixes, abs/pdf/html URLs,
`oai:arXiv.org:` identifiers and arXiv DOIs (10.48550/arXiv.*) are accepted.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from papertide.errors import InputError

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?/(?P<number>\d{7})"
_VERSION = r"(?:v(?P<version>\d+))?"
_ID_RE = re.compile(rf"(?:{_NEW}|{_OLD}){_VERSION}")
_PREFIXES = re.compile(
    r"""^(?:
        arxiv:
      | oai:arxiv\.org:
      | (?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/
      | (?:https?://)?(?:dx\.)?doi\.org/10\.48550/arxiv\.
      | 10\.48550/arxiv\.
      | (?:https?://)?huggingface\.co/papers/
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SUFFIXES = re.compile(r"(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)
GENERATED_PREFIX = "pt-"


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A parsed arXiv id: canonical `id` without version, and the version if one was given."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an id, URL or DOI; raise InputError with the offending text if it is none of them."""
    parsed = try_parse_arxiv_id(text)
    if parsed is None:
        raise InputError(f"not an arXiv id or URL: {text.strip()[:80]!r}")
    return parsed


def canonical_paper_id(text: str) -> str:
    """The stored id for user input: a generated id as is, else the arXiv id without version."""
    text = text.strip()
    return text if is_generated_id(text) else parse_arxiv_id(text).id


def try_parse_arxiv_id(text: str) -> ArxivId | None:
    """Like parse_arxiv_id but return None instead of raising."""
    core = _SUFFIXES.sub("", _PREFIXES.sub("", text.strip()))
    match = _ID_RE.fullmatch(core)
    if match is None or not _is_plausible(match):
        return None
    return _from_match(match)


def find_arxiv_ids(text: str) -> list[ArxivId]:
    """Every arXiv id mentioned in free text (e.g. "arXiv:2501.01234v2"), in order, deduplicated."""
    found: dict[str, ArxivId] = {}
    for match in re.finditer(rf"(?<![\w./-]){_ID_RE.pattern}(?![\w/])", text):
        if _is_plausible(match):
            parsed = _from_match(match)
            found.setdefault(parsed.id, parsed)
    return list(found.values())


def generated_id(title: str, abstract: str) -> str:
    """A stable id for a paper without an arXiv id: the same text always gives the same id.

    Case, accents' composition and white space do not matter.
    """
    normal = "\n".join(_normalise_for_hash(part) for part in (title, abstract))
    return GENERATED_PREFIX + hashlib.sha256(normal.encode()).hexdigest()[:16]


def is_generated_id(paper_id: str) -> bool:
    return paper_id.startswith(GENERATED_PREFIX)


def _normalise_for_hash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _from_match(match: re.Match[str]) -> ArxivId:
    version = int(match["version"]) if match["version"] else None
    if match["new"]:
        return ArxivId(match["new"], version)
    return ArxivId(f"{match['archive'].lower()}/{match['number']}", version)


def _is_plausible(match: re.Match[str]) -> bool:
    """Month 01-12, no v0; new-style ids have 4 digits from 0704 to 1412, 5 digits from 1501."""
    digits = match["new"] or match["number"]
    if not 1 <= int(digits[2:4]) <= 12:
        return False
    if match["version"] is not None and int(match["version"]) == 0:
        return False
    new = match["new"]
    if new is None:
        return True
    yymm, width = int(new[:4]), len(new) - 5
    return (width == 4 and 704 <= yymm <= 1412) or (width == 5 and yymm >= 1501)


ORG_SLUG_MAX_CHARS = 80
ORG_NAME_MAX_CHARS = 200
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
ORG_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_ORG_SLUG = re.compile(ORG_SLUG_PATTERN)


def org_slug(name: str) -> str:
    """The URL name of an organisation called `name` (the one slug function, for imports and
    curators alike): its ASCII letters and digits, accents folded ("ETH Zürich" is
    `eth-zurich`), lower case, runs of anything else one "-", at most ORG_SLUG_MAX_CHARS. A
    name with no such character ("香港科技大学") is `org-` and 10 hex digits of its hash;
    a blank name is ""."""
    text = " ".join(name.split())
    if not text:
        return ""
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    slug = _SLUG_JUNK.sub("-", folded).strip("-")[:ORG_SLUG_MAX_CHARS].rstrip("-")
    if slug:
        return slug
    return "org-" + hashlib.sha256(text.encode()).hexdigest()[:10]


def check_org_slug(text: str) -> str:
    """An organisation slug as org_slug makes them; InputError for anything else."""
    if len(text) > ORG_SLUG_MAX_CHARS or not _ORG_SLUG.fullmatch(text):
        raise InputError(f"{text[:40]!r} is not an organisation name for a URL")
    return text
