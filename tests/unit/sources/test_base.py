import re
from datetime import UTC, datetime

import pytest

from papertide.ids import generated_id
from papertide.models import Link, Version
from papertide.sources.base import (
    MAX_ABSTRACT_CHARS,
    RecordError,
    build_paper,
    clean_line,
    clean_paragraphs,
    extract_links,
    parse_authors,
    parse_categories,
    parse_datetime,
    parse_int,
    parse_version_number,
    raw_text,
    split_author_string,
)


def test_build_paper_cleans_fields_and_takes_version_from_id():
    paper = build_paper(
        id="arXiv:2501.01234v2",
        title="  A <b>bold</b>\n title & $x<y$ ",
        abstract="line one\nline two\n\n  second   paragraph ",
        authors="A. One (MIT, USA), B. Two and C. Three",
        categories="cs.CL cs.AI 68T50 I.2.7",
    )
    assert paper.id == "2501.01234"
    assert paper.version == 2
    assert paper.versions == (Version(2),)
    assert paper.title == "A <b>bold</b> title & $x<y$"
    assert paper.abstract == "line one line two\n\nsecond paragraph"
    assert paper.authors == ("A. One", "B. Two", "C. Three")
    assert paper.categories == ("cs.CL", "cs.AI")
    assert paper.primary_category == "cs.CL"


def test_build_paper_without_id_generates_a_stable_one():
    paper = build_paper(id=None, title="Some Title", abstract="Some abstract.")
    assert paper.id == generated_id("Some Title", "Some abstract.")
    assert paper.version is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": None}, "missing title"),
        ({"title": "   "}, "missing title"),
        ({"title": ["a"]}, "title must be text, not list"),
        ({"title": "x" * 1001}, "title too long: 1001 characters"),
        ({"abstract": "y" * (MAX_ABSTRACT_CHARS + 1)}, "abstract too long"),
        ({"id": "not-an-id"}, "not an arXiv id: 'not-an-id'"),
        ({"id": 2501.0123}, "id must be text, not float"),
        ({"authors": 42}, "authors must be a list or text, not int"),
        ({"authors": [{"x": 1}]}, "author must be a name, not NoneType"),
        ({"categories": {"cs": 1}}, "categories must be a list or text"),
        ({"title": "bad \ud800 surrogate"}, "title has broken unicode"),
    ],
)
def test_build_paper_rejects_bad_fields_with_a_clear_reason(fields, reason):
    base = {"id": "2501.01234", "title": "T", "abstract": "A"}
    with pytest.raises(RecordError, match=reason.replace("$", r"\$")):
        build_paper(**{**base, **fields})


def test_build_paper_finds_code_links_and_keeps_given_ones_first():
    paper = build_paper(
        id="2501.01234",
        title="T",
        abstract="Code: https://github.com/org/repo. Data at https://huggingface.co/datasets/o/d",
        comment="see https://gitlab.com/g/p.git and https://github.com/org/repo",
        links=[Link("project", "https://example.org/p")],
    )
    assert paper.links == (
        Link("project", "https://example.org/p"),
        Link("code", "https://github.com/org/repo"),
        Link("huggingface", "https://huggingface.co/datasets/o/d"),
        Link("code", "https://gitlab.com/g/p"),
    )


def test_extract_links_ignores_profiles_and_bare_sections():
    assert extract_links("https://github.com/someone and https://huggingface.co/papers") == ()


def test_split_author_string_drops_nested_affiliations():
    assert split_author_string("A (X (Y), Z), B; C\nD and E") == ["A", "B", "C", "D", "E"]


def test_parse_authors_accepts_objects_and_rejects_huge_lists():
    assert parse_authors([{"name": " Ann  Lee "}, "Bo"]) == ("Ann Lee", "Bo")
    with pytest.raises(RecordError, match="too many authors"):
        parse_authors(["x"] * 5001)


def test_parse_categories_deduplicates_and_rejects_non_text():
    assert parse_categories(["cs.CL", "cs.CL", "stat.ML"]) == ("cs.CL", "stat.ML")
    with pytest.raises(RecordError, match="category must be text"):
        parse_categories([1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-18", datetime(2025, 3, 18, tzinfo=UTC)),
        ("2024-05-24T17:34:15.000Z", datetime(2024, 5, 24, 17, 34, 15, tzinfo=UTC)),
        ("2024-06-02T01:07:21+08:00", datetime(2024, 6, 1, 17, 7, 21, tzinfo=UTC)),
        ("Mon, 2 Apr 2007 19:18:42 GMT", datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_datetime_reads_iso_rfc2822_and_days_as_utc(text, expected):
    assert parse_datetime(text, "date") == expected


def test_parse_datetime_rejects_garbage():
    with pytest.raises(RecordError, match="published is not a date: 'yesterday'"):
        parse_datetime("yesterday", "published")


def test_parse_int_accepts_digit_text_and_rejects_words_and_booleans():
    assert parse_int("12", "upvotes") == 12
    assert parse_int(None, "upvotes", 0) == 0
    assert parse_int(3.0, "upvotes") == 3
    with pytest.raises(RecordError, match="upvotes must be a whole number, not 'many'"):
        parse_int("many", "upvotes")
    with pytest.raises(RecordError, match="boolean"):
        parse_int(True, "upvotes")


def test_parse_version_number():
    assert parse_version_number("v3") == 3
    with pytest.raises(RecordError, match="bad version"):
        parse_version_number("v0")


def test_clean_paragraphs_handles_windows_newlines_and_control_characters():
    assert clean_paragraphs("a\r\nb\x00\x07\r\n\r\nc") == "a b\n\nc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hard-wrapped\n  title", "Hard-wrapped title"),
        ("tab\tand  spaces ", "tab and spaces"),
        ("a\x0bb\x0cc\x1cd\x1fe", "abcde"),  # control characters split() would take for spaces
        ("wrapped\nwith\x1econtrol", "wrapped withcontrol"),
        ("nul\x00 and\x7f del", "nul and del"),
        ("non\xa0breaking\u2028separator", "non breaking separator"),
        ("Cafe\u0301", "Café"),
    ],
)
def test_clean_line_drops_control_characters_and_folds_white_space(text, expected):
    assert clean_line(text) == expected


def test_raw_text_caps_huge_records():
    text = raw_text("x" * 1_000_010)
    assert text.endswith("[... 10 more characters]")
    assert raw_text({"a": 1}) == '{"a": 1}'


# Texts near the edges of the clean-text shortcut (base._already_clean): printable or not,
# single or double breaks, spaces at the ends, NFC or not, Unicode spaces and separators.
NEAR_CLEAN = [
    "Plain title",
    "wrapped\nabstract\nlines",
    "wrapped\n\nparagraphs",
    "space \nbefore a break",
    "break\n after",
    "\nleading break",
    "trailing break\n",
    " leading space",
    "trailing space ",
    "two  spaces",
    "tab\there",
    "Caf\u00e9 cr\u00e8me",
    "Cafe\u0301 decomposed",
    "no\u00a0break space",
    "em\u2003space",
    "line\u2028separator",
    "next\u0085line",
    "zero\u200bwidth",
    "",
    " ",
    "\n",
]


@pytest.mark.parametrize("text", NEAR_CLEAN)
def test_clean_line_shortcut_gives_what_the_full_cleaning_gives(text):
    # a NUL is dropped by the full cleaning and keeps the shortcut from applying
    assert clean_line(text) == clean_line(text + "\x00")


@pytest.mark.parametrize("text", NEAR_CLEAN)
def test_clean_paragraphs_shortcut_gives_what_the_full_cleaning_gives(text):
    assert clean_paragraphs(text) == clean_paragraphs(text + "\x00")


@pytest.mark.parametrize(
    "names",
    [
        ["Ann Lee", "Bo Chen"],
        ["Ann Lee", ""],
        ["Ann  Lee"],
        [" Ann"],
        ["Ann "],
        ["A|B", "C"],
        ["Ann|", "Bo"],
        ["Jos\u00e9 Garc\u00eda"],
        ["Jose\u0301"],
        ["Tab\tName"],
        ["x" * 1001],
        [],
    ],
)
def test_parse_authors_shortcut_for_clean_names_gives_what_name_by_name_gives(names):
    # names as {"name": ...} objects always take the name-by-name path
    objects = [{"name": name} for name in names]
    try:
        expected = parse_authors(objects)
    except RecordError as error:
        with pytest.raises(RecordError, match=re.escape(str(error))):
            parse_authors(names)
        return
    assert parse_authors(names) == expected
