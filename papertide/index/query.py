"""Parse what a user typed into a Query. Pure: no index, no store, never raises.

Syntax: free words; `"a phrase"`; `-word`, `-"a phrase"`, `-author:..`, `-cat:..`; `trans*`
(a prefix); `author:LeCun` or `author:"Yann LeCun"`; `cat:cs.CL` or `cat:cs` (an archive);
`year:2025` or `year:2020-2023`; `since:` / `until:` with YYYY, YYYY-MM or YYYY-MM-DD (inclusive).
A query that is one arXiv id or URL opens that paper. A long pasted text (an abstract) asks for
related work: quotes, `-` and unknown fields lose their meaning there, known filters still apply.
Malformed input is repaired and reported in `Query.warnings`: an unbalanced `"` makes the rest
of the query a phrase, an unknown `foo:bar` is plain text, a bad date drops its filter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from papertide.ids import try_parse_arxiv_id

QUERY_MAX_CHARS = 8_000
LONG_TEXT_MIN_CHARS = 300
LONG_TEXT_MIN_WORDS = 40
PREFIX_MIN_CHARS = 2
FIELD_ALIASES = {
    "author": "author",
    "au": "author",
    "cat": "cat",
    "category": "cat",
    "year": "year",
    "since": "since",
    "until": "until",
}
_TOKEN = re.compile(
    r"""(?P<neg>(?<!\S)-(?=\S))?
        (?:(?P<field>[A-Za-z][A-Za-z_]*):(?=\S))?
        (?:"(?P<quoted>[^"]*)(?P<close>"?) | (?P<bare>[^\s"]+))""",
    re.VERBOSE,
)
_CATEGORY = re.compile(r"[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
_GENERATED_ID = re.compile(r"pt-[0-9a-f]{16}")
_YEAR_RANGE = re.compile(r"(\d{4})(?:(?:-|\.\.)(\d{4}))?")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. Words are as typed (the index normalises them); dates are inclusive.

    Several `author:` filters must all match (co-authors); several `cat:` filters match any.
    """

    text: str
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    not_terms: tuple[str, ...] = ()
    not_phrases: tuple[str, ...] = ()
    not_prefixes: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    not_authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    paper_id: str | None = None
    is_long_text: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def has_text(self) -> bool:
        """Whether anything ranks (words, phrases, prefixes), not only filters or negations."""
        return bool(self.terms or self.phrases or self.prefixes)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.authors
            or self.not_authors
            or self.categories
            or self.not_categories
            or self.since
            or self.until
        )

    @property
    def is_empty(self) -> bool:
        negated = self.not_terms or self.not_phrases or self.not_prefixes
        return not (self.has_text or negated or self.has_filters or self.paper_id)

    def describe(self) -> str:
        """How the query was understood, in one line ("why it matched")."""
        if self.paper_id is not None:
            return f"the paper {self.paper_id}"
        parts = _describe_text(self) + _describe_filters(self)
        return "; ".join(parts) if parts else "everything"


def _describe_text(query: Query) -> list[str]:
    parts = []
    if query.is_long_text:
        parts.append(f"related to a pasted text ({len(query.terms)} words)")
    elif query.terms:
        parts.append("any of " + ", ".join(query.terms))
    parts += [f'the phrase "{phrase}"' for phrase in query.phrases]
    parts += [f"words starting with {prefix}" for prefix in query.prefixes]
    negated = [*query.not_terms, *(f'"{p}"' for p in query.not_phrases)]
    negated += [f"{prefix}*" for prefix in query.not_prefixes]
    if negated:
        parts.append("without " + ", ".join(negated))
    return parts


def _describe_filters(query: Query) -> list[str]:
    parts = [f"by {name}" for name in query.authors]
    parts += [f"not by {name}" for name in query.not_authors]
    if query.categories:
        parts.append("in " + " or ".join(query.categories))
    parts += [f"not in {category}" for category in query.not_categories]
    if query.since and query.until:
        parts.append(f"published {query.since.isoformat()} to {query.until.isoformat()}")
    elif query.since:
        parts.append(f"published since {query.since.isoformat()}")
    elif query.until:
        parts.append(f"published until {query.until.isoformat()}")
    return parts


def parse_query(text: str) -> Query:
    """Parse a query string; any string gives a Query (problems go to `warnings`)."""
    cleaned, warnings = clean_text(text)
    paper_id = _paper_id_of(cleaned)
    if paper_id is not None:
        return Query(text=cleaned, paper_id=paper_id, warnings=tuple(warnings))
    words = len(cleaned.split())
    is_long = len(cleaned) > LONG_TEXT_MIN_CHARS or words > LONG_TEXT_MIN_WORDS
    builder = _Builder(is_long=is_long, warnings=warnings)
    for match in _TOKEN.finditer(cleaned.replace('"', " ") if is_long else cleaned):
        builder.take(match)
    return builder.build(cleaned)


def clean_text(text: str) -> tuple[str, list[str]]:
    """Drop control and format characters, normalise (NFC) and collapse white space, and cut
    the text to QUERY_MAX_CHARS at a word boundary."""
    warnings = []
    kept = "".join(
        " " if char.isspace() else char
        for char in unicodedata.normalize("NFC", text)
        if char.isspace() or unicodedata.category(char)[0] != "C"
    )
    cleaned = " ".join(kept.split())
    if len(cleaned) > QUERY_MAX_CHARS:
        cut = cleaned[: QUERY_MAX_CHARS + 1].rsplit(" ", 1)[0] or cleaned[:QUERY_MAX_CHARS]
        cleaned = cut[:QUERY_MAX_CHARS]
        warnings.append(f"query cut to its first {QUERY_MAX_CHARS:,} characters")
    return cleaned, warnings


def _paper_id_of(text: str) -> str | None:
    if _GENERATED_ID.fullmatch(text):
        return text
    if " " in text or not text:
        return None
    parsed = try_parse_arxiv_id(text)
    return None if parsed is None else parsed.id


@dataclass
class _Builder:
    """Collects the parts of one query while its tokens are read (local, never shared)."""

    is_long: bool
    warnings: list[str]
    lists: dict[str, list[str]] = field(default_factory=dict)
    since: date | None = None
    until: date | None = None

    def add(self, kind: str, value: str) -> None:
        values = self.lists.setdefault(kind, [])
        if value and ((self.is_long and kind == "terms") or value not in values):
            values.append(value)

    def take(self, match: re.Match[str]) -> None:
        negated, name = bool(match["neg"]), match["field"]
        value = match["quoted"] if match["quoted"] is not None else match["bare"]
        quoted = match["quoted"] is not None
        if quoted and not match["close"] and not self.is_long:
            read_as = f"{name}:" if name else "a phrase"
            self.warnings.append(f"unbalanced quote: the rest of the query was read as {read_as}")
        if name is not None and name.lower() in FIELD_ALIASES:
            self.take_field(FIELD_ALIASES[name.lower()], value.strip(), negated)
        elif name is not None:
            self.take_unknown(name, value, negated)
        elif self.is_long:
            self.take_words(match[0])
        elif quoted:
            self.take_phrase(value, negated)
        else:
            self.take_word(value, negated)

    def take_unknown(self, name: str, value: str, negated: bool) -> None:
        """`foo:bar` is the text "foo:bar" (the index splits it); a URL is no field at all."""
        if not self.is_long and not value.startswith("//"):
            self.warnings.append(f"unknown field {name}: read as text")
        for word in f"{name}:{value}".split():
            self.take_word(word, negated)

    def take_words(self, text: str) -> None:
        for word in text.split():
            self.add("terms", word)

    def take_phrase(self, phrase: str, negated: bool) -> None:
        words = phrase.split()
        if len(words) == 1:
            self.take_word(words[0], negated)
        elif words:
            self.add("not_phrases" if negated else "phrases", " ".join(words))

    def take_word(self, word: str, negated: bool) -> None:
        if self.is_long:
            self.add("terms", word)
            return
        stem = word.rstrip("*")
        if stem != word and "*" not in stem and len(stem) >= PREFIX_MIN_CHARS:
            self.add("not_prefixes" if negated else "prefixes", stem)
            return
        if stem != word and "*" not in stem and stem:
            self.warnings.append(f"prefix {word} is too short: read as a word")
        self.add("not_terms" if negated else "terms", word.strip("*") or word)

    def take_field(self, name: str, value: str, negated: bool) -> None:
        if name == "author":
            self.take_author(value, negated)
        elif name == "cat":
            self.take_category(value, negated)
        elif negated:
            self.warnings.append(f"-{name}: cannot be negated: ignored")
        else:
            self.take_date(name, value)

    def take_author(self, value: str, negated: bool) -> None:
        name = " ".join(value.split())
        if name:
            self.add("not_authors" if negated else "authors", name)

    def take_category(self, value: str, negated: bool) -> None:
        if _CATEGORY.fullmatch(value):
            self.add("not_categories" if negated else "categories", value)
        else:
            self.warnings.append(f"cat:{value} is not an arXiv category (like cs.CL): ignored")

    def take_date(self, name: str, value: str) -> None:
        bounds = _year_bounds(value) if name == "year" else _date_bounds(value)
        if bounds is None:
            expected = "YYYY or YYYY-YYYY" if name == "year" else "YYYY, YYYY-MM or YYYY-MM-DD"
            self.warnings.append(f"{name}:{value} is not a date ({expected}): ignored")
            return
        first, last = bounds
        if name in ("year", "since"):
            self.since = first if self.since is None else max(self.since, first)
        if name in ("year", "until"):
            self.until = last if self.until is None else min(self.until, last)

    def build(self, text: str) -> Query:
        if self.since and self.until and self.since > self.until:
            self.warnings.append("the date range is empty: nothing can match")

        def part(kind: str) -> tuple[str, ...]:
            return tuple(self.lists.get(kind, ()))

        return Query(
            text=text,
            terms=part("terms"),
            phrases=part("phrases"),
            prefixes=part("prefixes"),
            not_terms=part("not_terms"),
            not_phrases=part("not_phrases"),
            not_prefixes=part("not_prefixes"),
            authors=part("authors"),
            not_authors=part("not_authors"),
            categories=part("categories"),
            not_categories=part("not_categories"),
            since=self.since,
            until=self.until,
            is_long_text=self.is_long,
            warnings=tuple(self.warnings),
        )


def _year_bounds(value: str) -> tuple[date, date] | None:
    match = _YEAR_RANGE.fullmatch(value)
    if match is None:
        return None
    first, last = int(match[1]), int(match[2] or match[1])
    if not (1 <= first <= last <= 9999):
        return None
    return date(first, 1, 1), date(last, 12, 31)


def _date_bounds(value: str) -> tuple[date, date] | None:
    """First and last day of YYYY, YYYY-MM or YYYY-MM-DD; None when it is no such date."""
    parts = value.split("-")
    if not all(part.isdigit() and part.isascii() for part in parts) or len(parts) > 3:
        return None
    if len(parts[0]) != 4 or any(len(part) != 2 for part in parts[1:]):
        return None
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) == 3:
            day = date(numbers[0], numbers[1], numbers[2])
            return day, day
        if len(numbers) == 2:
            first = date(numbers[0], numbers[1], 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, date.fromordinal(following.toordinal() - 1)
        return date(numbers[0], 1, 1), date(numbers[0], 12, 31)
    except ValueError:
        return None
