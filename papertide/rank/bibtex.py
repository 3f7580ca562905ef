"""Cold start from a BibTeX file: parse entries (titles, arXiv ids, DOIs) and match them to
stored papers. Pure: text in, values out; any input either parses or raises InputError.

A tolerant subset of BibTeX (http://www.bibtex.org/Format/): `@type{key, field = value, ...}`
with `{...}`, `"..."`, bare-word and `#`-joined values; @comment, @preamble and @string blocks
are skipped. Entries start on a line of their own (as every exporter writes them), so a broken
entry costs only itself and parsing stays linear in the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass

from papertide.errors import InputError
from papertide.ids import find_arxiv_ids, try_parse_arxiv_id
from papertide.rank.follows import fold
from papertide.rank.profile import Feedback

MAX_BIBTEX_CHARS = 2_000_000  # about 4,000 entries; a bigger upload is refused, not parsed
MAX_BIBTEX_BYTES = 4 * MAX_BIBTEX_CHARS  # read at most this much of an upload (UTF-8)
MAX_BIBTEX_ENTRIES = 2_000  # entries one upload may seed; a bigger library is split
SKIPPED_TYPES = frozenset({"comment", "preamble", "string"})
ENTRY_LINE = re.compile(r"(?m)^[ \t]*(?=@)")
ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
FIELD_NAME = re.compile(r"\s*([A-Za-z][\w:.+-]*)\s*=\s*")
BARE_VALUE = re.compile(r"[^\s,#})]+")
LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\s*|\\.")
WHOLE_ID_FIELDS = ("eprint", "arxiv", "arxivid", "url", "doi")
TEXT_ID_FIELDS = ("journal", "note", "howpublished", "eprint")
CLOSING = {"{": "}", "(": ")"}


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One parsed entry: `title` with TeX markup removed; `arxiv_id` canonical, if any."""

    key: str
    kind: str
    title: str
    arxiv_id: str | None = None
    doi: str | None = None


@dataclass(frozen=True, slots=True)
class BibMatch:
    """Entries matched to stored papers as (entry key, paper id), and the entries not found."""

    matched: tuple[tuple[str, str], ...]
    unmatched: tuple[BibEntry, ...]

    @property
    def paper_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(paper for _, paper in self.matched))


def parse_bibtex(text: str | bytes) -> list[BibEntry]:
    """The entries of a BibTeX file that carry a title or an arXiv id, in file order."""
    if isinstance(text, bytes):
        text = decode(text)
    if len(text) > MAX_BIBTEX_CHARS:
        raise InputError(
            f"BibTeX file too large: {len(text):,} characters (at most {MAX_BIBTEX_CHARS:,})"
        )
    if "\x00" in text:
        raise InputError("not a BibTeX file: it contains NUL characters (a binary file?)")
    entries: list[BibEntry] = []
    for chunk in ENTRY_LINE.split(text):
        start = ENTRY_START.match(chunk)
        if start is None or start[1].lower() in SKIPPED_TYPES:
            continue
        body_end = find_closing(chunk, start.end(), CLOSING[start[2]])
        entry = parse_entry(start[1].lower(), chunk[start.end() : body_end])
        if entry is not None:
            entries.append(entry)
            if len(entries) > MAX_BIBTEX_ENTRIES:
                raise InputError(
                    f"too many BibTeX entries: at most {MAX_BIBTEX_ENTRIES:,} per upload;"
                    " upload the papers you care most about, or split the file"
                )
    return entries


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1, which older BibTeX files use."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def find_closing(text: str, start: int, closing: str) -> int:
    """The index of the `closing` bracket that ends a group starting at `start`, skipping
    nested brace groups; the end of the text when it is not closed."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == closing and depth == 0:
            return index
    return len(text)


def parse_entry(kind: str, body: str) -> BibEntry | None:
    """An entry from its body ("key, field = value, ..."); None without a title or an id."""
    key, _, rest = body.partition(",")
    fields = parse_fields(rest)
    title = clean_tex(fields.get("title", ""))
    arxiv_id = find_arxiv_id(fields)
    if not title and arxiv_id is None:
        return None
    doi = clean_tex(fields["doi"]) if fields.get("doi") else None
    return BibEntry(key.strip(), kind, title, arxiv_id, doi)


def parse_fields(body: str) -> dict[str, str]:
    """field name (lower case) -> raw value, for the fields that parse; the first one wins."""
    fields: dict[str, str] = {}
    position = 0
    while (name := FIELD_NAME.match(body, position)) is not None:
        value, position = read_value(body, name.end())
        fields.setdefault(name[1].lower(), value)
        comma = body.find(",", position)
        if comma < 0:
            break
        position = comma + 1
    return fields


def read_value(body: str, position: int) -> tuple[str, int]:
    """A value made of `#`-joined parts; returns the joined text and the index after it."""
    parts: list[str] = []
    while position < len(body):
        char = body[position]
        if char == "{":
            end = find_closing(body, position + 1, "}")
            parts.append(body[position + 1 : end])
            position = end + 1
        elif char == '"':
            end = quoted_end(body, position + 1)
            parts.append(body[position + 1 : end])
            position = end + 1
        elif (bare := BARE_VALUE.match(body, position)) is not None:
            parts.append(bare[0])
            position = bare.end()
        else:
            break
        while position < len(body) and body[position].isspace():
            position += 1
        if position >= len(body) or body[position] != "#":
            break
        position += 1
        while position < len(body) and body[position].isspace():
            position += 1
    return "".join(parts), position


def quoted_end(body: str, start: int) -> int:
    """The index of the closing quote of a quoted value (quotes inside braces do not count)."""
    depth = 0
    for index in range(start, len(body)):
        char = body[index]
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == '"' and depth == 0:
            return index
    return len(body)


def clean_tex(value: str) -> str:
    """Drop TeX commands, braces and `~`; collapse white space (\\emph{Deep} -> Deep)."""
    text = LATEX_COMMAND.sub("", value).replace("{", "").replace("}", "").replace("~", " ")
    return " ".join(text.split())


def find_arxiv_id(fields: Mapping[str, str]) -> str | None:
    """The arXiv id given by eprint, arxiv, url or doi (an id, URL or arXiv DOI), else the first
    one mentioned in journal, note or howpublished ("arXiv preprint arXiv:2401.01234")."""
    for name in WHOLE_ID_FIELDS:
        parsed = try_parse_arxiv_id(clean_tex(fields.get(name, "")))
        if parsed is not None:
            return parsed.id
    for name in TEXT_ID_FIELDS:
        found = find_arxiv_ids(clean_tex(fields.get(name, "")))
        if found:
            return found[0].id
    return None


def title_key(title: str) -> str:
    """A title's matching key: folded, punctuation and TeX dropped (same key, same title)."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(clean_tex(title))).split())


def match_entries(
    entries: Iterable[BibEntry], known_ids: Container[str], by_title: Mapping[str, str]
) -> BibMatch:
    """Match entries to stored papers: by arXiv id when the store has it, else by title.

    `known_ids` are the stored paper ids; `by_title` maps title_key(title) to a paper id.
    """
    matched: list[tuple[str, str]] = []
    unmatched: list[BibEntry] = []
    for entry in entries:
        paper = None
        if entry.arxiv_id is not None and entry.arxiv_id in known_ids:
            paper = entry.arxiv_id
        elif entry.title:
            paper = by_title.get(title_key(entry.title))
        if paper is None:
            unmatched.append(entry)
        else:
            matched.append((entry.key, paper))
    return BibMatch(tuple(matched), tuple(unmatched))


def seed_feedback(paper_ids: Iterable[str]) -> list[Feedback]:
    """Seed papers (chosen or from a BibTeX upload) as "seed" feedback, each once."""
    return [Feedback(paper, "seed") for paper in dict.fromkeys(paper_ids)]
