"""Classify the lines of a paper list copied from a web page, one line at a time. Pure.

Owns the line patterns (furniture, metadata, title and prose shapes) of the heuristic that
sources/text.py documents and applies; must not assemble papers, read files or keep state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from papertide.ids import ArxivId, try_parse_arxiv_id

MAX_TITLE_LINE_CHARS = 250
MIN_ABSTRACT_CHARS = 100
MAX_ID_LINE_CHARS = 200

LineKind = Literal["furniture", "meta", "title", "abstract", "text", "submitted-by", "url"]

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
# Page furniture by kind: the kind names the lines in the ingest summary.
_FURNITURE_PATTERNS = (
    ("link labels", r"\[\s*(?:pdf|html|ps|other|src|v\d+)\b[^\]]*\].*|\[[^\]]*\]"),
    ("counts and symbols", r"[\W\d_]+"),
    ("page numbers", r"(?:page\s+)?\d+\s*(?:of|/)\s*\d+|page\s+\d+"),
    ("dates", rf"{_WEEKDAY}\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}.*"),
    ("dates", rf"{_WEEKDAY}{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"),
    ("dates", r"\d{4}-\d{2}-\d{2}(?:[ T][\d:.]+Z?)?"),
    ("dates", r"(?:submitted|published|announced|updated|revised|posted)\s+(?:by|on|at)\b.*"),
    ("counts and symbols",
     r"[·•]?\s*\d+\s+(?:authors?|upvotes?|comments?|likes?|citations?|views?|stars?)\b.*"),
    ("field labels",  # not "DATE: Dynamic Absolute Time ...", a title
     r"(?:report[- ]no|acm[- ]class|msc[- ]class|doi|keywords?|licen[cs]e|(?-i:[Ff]rom|[Dd]ate)"
     r"|primary category|submission history|cite as)\s*:.*"),
    ("menus and labels",
     r"(?:abstract|title|authors?|summary|ai-generated summary|comments?|subjects?"
     r"|submission history|tex source"
     r"|other formats|view license|bookmark|upvote|previous|next|show more|show less"
     r"|read more|view all|back to top|about|help|contact|copyright|privacy policy"
     r"|search|all fields|advanced search|login|log in|sign in|sign up|donate"
     r"|subscribe|daily|weekly|monthly|system theme):?"),
    ("site text",
     r"(?:skip to main content|we gratefully acknowledge|showing new listings|showing up to"
     r"|download pdf|view pdf|html \(experimental\)|focus to learn more"
     r"|authors and titles for|titles for new|see recent articles|total of \d+ entries"
     r"|(?:new|cross|replacement) submissions|cross-lists|by ak and the research"
     r"|get trending papers in your email|hugging face's logo"
     r"|current browse context|change to browse by|references & citations|export bibtex"
     r"|bibliographic and citation tools|subscribe to arxiv|contact arxiv"
     r"|get status notifications|web accessibility|arxiv operational status"
     r"|which authors of this paper|disable mathjax).*"),
)  # fmt: skip
_FURNITURE_RES = [
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _FURNITURE_PATTERNS
]
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)  # matched with search()
# Labels start with a capital letter: "categories: anger, fear" inside an abstract is no label.
_PREFIX_RE = re.compile(r"(?=[A-Z])(?i:(title|abstract|authors?|author\(s\)))\s*:\s*(.*)")
_FIELD_RE = re.compile(r"(?=[A-Z])(?i:(subjects?|categories|comments?|journal[- ]ref))\s*:\s*(.+)")
_FIELD_KINDS = {
    "subject": "categories",
    "subjects": "categories",
    "categories": "categories",
    "comment": "comment",
    "comments": "comment",
    "journal-ref": "journal_ref",
}
_ID_LINE_RE = re.compile(
    r"(?P<list>\[\d+\]\s*)?(?P<cite>cite as\s*:?\s*|\(or\s+)?"
    r"(?:arxiv\s*:|https?://(?:www\.|export\.)?arxiv\.org/|https?://huggingface\.co/papers/"
    r"|(?:https?://)?(?:dx\.)?doi\.org/10\.48550/|\d{4}\.\d{4,5}\b|[a-z-]+(?:\.[a-z]{2})?/\d{7})",
    re.IGNORECASE,
)
_MENU_SPLIT_RE = re.compile(r"\s[|>»\u203a]\s")
_BRACKETS_RE = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_CATEGORY_CODE_RE = re.compile(r"\(([a-z-]+\.[A-Za-z-]+|[a-z-]+)\)")
_LIST_MARKER_RE = re.compile(r"^(?:\[\d+\]|\d{1,4}[.)]|[-*•·])\s+")
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”\u2019)\]]*\s+[\"'“(]?[A-Z]")
# A full stop after these is no sentence end: "vs. GUI", "Dr. Zero", "Disks. II. Phase" (a
# roman numeral), "U.S. Code", "J. Smith" (an initial).
_NOT_SENTENCE_END_RE = re.compile(
    r"(?:\b(?:vs|v\.s|dr|mr|mrs|ms|prof|st|al|e\.g|i\.e|cf|fig|figs|eq|no|vol|jr|sr|inc|ltd"
    r"|approx|resp|etc|[ivx]+|[a-z])|[A-Z]\.[A-Z])\.$",
    re.IGNORECASE,
)
_ENDS_SENTENCE_RE = re.compile(r"[.!?][\"'”\u2019)\]$]*$")
_NAMED_RE = re.compile(r"([^\s:]+)(?:\s+[^\s:]+){0,2}:\s")
_SECTION_LABELS = frozenset(
    {"background", "objective", "objectives", "purpose", "method", "methods", "results"}
    | {"conclusion", "conclusions", "motivation", "context", "aim", "aims", "significance"}
    | {"introduction", "approach", "findings", "design", "setting", "note", "main"}
)
_CONNECTORS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"}
    | {"to", "via", "with", "that", "which", "we", "our", "is", "are"}
)
_PRONOUNS = frozenset({"we", "our", "us"})
_NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos"}
    | {"das", "bin", "al", "y"}
)
_NOT_NAMES = frozenset(
    {"is", "the", "of", "a", "an", "for", "with", "in", "on", "to", "via", "from", "at", "by"}
    | {"are", "as", "and", "using"}
)


@dataclass(frozen=True, slots=True)
class Meta:
    """A metadata line; `side` forces the paper it belongs to: "next", "previous" or None."""

    line: int
    kind: str
    value: str
    raw: str
    side: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    raw: str
    text: str
    kind: LineKind
    blank_before: bool
    meta: Meta | None = None
    furniture: str | None = None  # the kind of furniture, for the summary


def classify_line(number: int, raw: str, blank_before: bool, after_submitted_by: bool) -> Line:
    """What one line is on its own (furniture, metadata, forced title/abstract, or text)."""
    text = raw.strip()

    def line(kind: LineKind, value: str = text, meta: Meta | None = None) -> Line:
        return Line(number, raw, value, kind, blank_before, meta)

    def furniture(name: str) -> Line:
        return Line(number, raw, text, "furniture", blank_before, furniture=name)

    if after_submitted_by and len(text) <= 40:
        return furniture("submitter names")  # the user name under "Submitted by"
    prefix = _PREFIX_RE.fullmatch(text)
    if prefix and prefix[2].strip():
        label, value = prefix[1].lower(), prefix[2].strip()
        if label in ("title", "abstract"):
            return line("title" if label == "title" else "abstract", value)
        return line("meta", value, Meta(number, "authors", value, raw))
    id_line = _ID_LINE_RE.match(text) if len(text) <= MAX_ID_LINE_CHARS else None
    found, rest = find_id(text) if id_line else (None, "")
    if id_line and found and _is_short(_BRACKETS_RE.sub("", rest), 30):
        side = "next" if id_line["list"] else "previous" if id_line["cite"] else None
        return line("meta", meta=Meta(number, "id", str(found), raw, side))
    labelled = _FIELD_RE.fullmatch(text)
    if labelled:
        kind = _FIELD_KINDS[labelled[1].lower().replace(" ", "-")]
        return line("meta", meta=Meta(number, kind, labelled[2].strip(), raw))
    if re.fullmatch(r"submitted by:?", text, re.IGNORECASE):
        return line("submitted-by")
    if _URL_RE.fullmatch(text):
        return line("url")
    if is_menu(text):
        return furniture("menus and labels")
    named = next((name for name, pattern in _FURNITURE_RES if pattern.fullmatch(text)), None)
    return line("text") if named is None else furniture(named)


def is_menu(text: str) -> bool:
    """ "Help | Advanced Search", "arxiv logo > cs > cs.CL": short items between separators
    (not "LMK > CLS: Landmark Pooling", a title)."""
    items = _MENU_SPLIT_RE.split(text)
    short = all(
        _is_short(item, 60) and not _SENTENCE_END_RE.search(item) and ": " not in item
        for item in items
    )
    return len(items) > 1 and len(text) <= 160 and short


def _is_short(text: str, limit: int) -> bool:
    return len(text.strip()) <= limit


def find_id(text: str) -> tuple[ArxivId | None, str]:
    """The first arXiv id (or id URL) among the words of `text`, and the text after it."""
    for token in re.finditer(r"[^\s\[\]()]+", text):
        found = try_parse_arxiv_id(token[0].rstrip(",;."))
        if found is not None:
            return found, text[token.end() :]
    return None, ""


def is_glued(following: Line | None) -> bool:
    """Whether the next line is text directly under this one (no blank line between)."""
    return following is not None and following.kind == "text" and not following.blank_before


def words(text: str) -> list[str]:
    return [word for word in text.split() if any(char.isalpha() for char in word)]


def is_title_shaped(text: str) -> bool:
    words = text.split()
    if not words or len(text) > MAX_TITLE_LINE_CHARS or text[-1] in ".,;:":
        return False
    if words[-1].lower() in _CONNECTORS or (words[0].isalpha() and words[0].islower()):
        return False
    if _URL_RE.search(text) or text.count("(") != text.count(")"):
        return False
    ends = sentence_ends(text)
    return len(ends) <= 3 and sum(1 for end in ends if end == ".") <= 1


def sentence_ends(text: str) -> list[str]:
    """The marks (".", "!" or "?") that end a sentence inside `text`: a full stop after an
    abbreviation, a roman numeral or an initial ("vs.", "II.", "J.") ends none."""
    return [
        match[0][0]
        for match in _SENTENCE_END_RE.finditer(text)
        if match[0][0] != "."
        or not _NOT_SENTENCE_END_RE.search(text[max(match.start() - 8, 0) : match.start() + 1])
    ]


def ends_paragraph_line(text: str) -> bool:
    """Whether a paragraph line may be the last: it ends a sentence or a link, or it is a whole
    unwrapped paragraph (browsers copy each paragraph as one long line)."""
    return (
        bool(_ENDS_SENTENCE_RE.search(text) or _URL_RE.search(text.split()[-1]))
        or len(text) > MAX_TITLE_LINE_CHARS
    )


def is_marked_title(text: str) -> bool:
    """A numbered ("3. ", "[3] ") or named ("ASMR: ...") line, but not "Methods: ..."."""
    named = _NAMED_RE.match(text)
    return bool(_LIST_MARKER_RE.match(text)) or (
        named is not None and named[1].lower() not in _SECTION_LABELS
    )


def looks_titled(text: str) -> bool:
    """Title Case ("Learning to Rank") or a "Name: what it does" title; not a list of clauses."""
    if _PRONOUNS & set(text.split()):
        return False  # "In this paper, we introduce the Data Science Debugging": prose
    if ":" in text[: len(text) // 2 + 1]:
        return True
    if text.count(",") > 1:
        return False
    long_words = [word for word in text.split() if word.isalpha() and len(word) >= 4]
    capitalised = sum(1 for word in long_words if word[0].isupper())
    return capitalised * 2 >= len(long_words)


def continues(text: str, following: str) -> bool:
    """Whether `following` reads as the rest of the sentence on `text` (a wrapped line)."""
    return text.endswith("-") or following[:1].islower() or following[:1] in ",.;:()"


def is_prose(text: str) -> bool:
    """A paragraph of sentences: over MAX_TITLE_LINE_CHARS, or ending a sentence (or a link)
    after MIN_ABSTRACT_CHARS or another sentence. A long line without a final full stop is a
    title ("Skywork-Math: ... -- The Story Goes On")."""
    if len(text) > MAX_TITLE_LINE_CHARS:
        return True
    if not (_ENDS_SENTENCE_RE.search(text) or _URL_RE.search(text.split()[-1])):
        return False
    return len(text) >= MIN_ABSTRACT_CHARS or bool(_SENTENCE_END_RE.search(text))


def is_name_list(text: str, least: int = 2) -> bool:
    """ "Ann Lee, Bo Chen and C. Wu": `least` or more names of 2-5 capitalised words."""
    parts = [part.strip() for part in re.split(r",|;|&|\band\b", text) if part.strip()]
    if len(parts) < least or ":" in text:  # "STIV: Scalable Text and Image ..." is a title
        return False
    for part in parts:
        tokens = re.sub(r"[\d*†‡§]+", "", part).split()
        if not 2 <= len(tokens) <= 5:
            return False
        for token in tokens:
            lower = token.lower()
            if lower in _NOT_NAMES or not (token[0].isupper() or lower in _NAME_PARTICLES):
                return False
    return True


def strip_list_marker(text: str) -> str:
    """ "3. Title", "[3] Title", "- Title" -> "Title"."""
    return _LIST_MARKER_RE.sub("", text)


def category_codes(text: str) -> list[str]:
    """The codes in "Computation and Language (cs.CL); Machine Learning (cs.LG)"."""
    return _CATEGORY_CODE_RE.findall(text)
