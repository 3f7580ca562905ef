"""parse_query: the query language, its repairs of malformed input, and describe()."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertide.index.query import QUERY_MAX_CHARS, Query, clean_text, parse_query


def test_parse_query_free_terms_keep_typed_words():
    query = parse_query("Graph  neural networks")
    assert query.terms == ("Graph", "neural", "networks")
    assert query.has_text and not query.has_filters and not query.is_long_text
    assert query.warnings == ()


def test_parse_query_repeated_words_count_once():
    assert parse_query("graph graph nets").terms == ("graph", "nets")


def test_parse_query_phrases_and_negations():
    query = parse_query('"large language models" -vision -"image generation" agents')
    assert query.phrases == ("large language models",)
    assert query.not_terms == ("vision",)
    assert query.not_phrases == ("image generation",)
    assert query.terms == ("agents",)


def test_parse_query_single_word_phrase_is_a_term():
    assert parse_query('"transformers"').terms == ("transformers",)
    assert parse_query('-"vision"').not_terms == ("vision",)


def test_parse_query_hyphen_inside_word_is_not_negation():
    query = parse_query("state-of-the-art self-supervised")
    assert query.terms == ("state-of-the-art", "self-supervised")
    assert query.not_terms == ()


def test_parse_query_prefixes():
    query = parse_query("trans* -diffus* a*")
    assert query.prefixes == ("trans",)
    assert query.not_prefixes == ("diffus",)
    assert query.terms == ("a",)
    assert any("too short" in warning for warning in query.warnings)


def test_parse_query_lone_star_and_inner_star_are_words():
    query = parse_query("* tr*ns")
    assert query.prefixes == ()
    assert query.terms == ("*", "tr*ns")


def test_parse_query_author_filters_bare_and_quoted():
    query = parse_query('author:"Yann  LeCun" au:Bengio -author:Hinton deep')
    assert query.authors == ("Yann LeCun", "Bengio")
    assert query.not_authors == ("Hinton",)
    assert query.terms == ("deep",)


def test_parse_query_category_filters():
    query = parse_query("cat:cs.CL category:cs -cat:cs.CV")
    assert query.categories == ("cs.CL", "cs")
    assert query.not_categories == ("cs.CV",)


def test_parse_query_bad_category_is_ignored_with_warning():
    query = parse_query("cat:cs.CL.x")
    assert query.categories == ()
    assert query.warnings == ("cat:cs.CL.x is not an arXiv category (like cs.CL): ignored",)


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("year:2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("year:2020-2023", date(2020, 1, 1), date(2023, 12, 31)),
        ("year:2020..2023", date(2020, 1, 1), date(2023, 12, 31)),
        ("since:2025-03-01", date(2025, 3, 1), None),
        ("since:2025", date(2025, 1, 1), None),
        ("until:2024-02", None, date(2024, 2, 29)),
        ("until:2025-12", None, date(2025, 12, 31)),
        ("since:2025-03 until:2025-06-15", date(2025, 3, 1), date(2025, 6, 15)),
        ("year:2025 since:2025-06-01", date(2025, 6, 1), date(2025, 12, 31)),
    ],
)
def test_parse_query_dates_are_inclusive_ranges(text: str, since: date | None, until: date | None):
    query = parse_query(text)
    assert (query.since, query.until) == (since, until)
    assert query.warnings == ()
    assert query.has_filters


@pytest.mark.parametrize(
    "text", ["since:yesterday", "since:2025-13-01", "until:2025-02-30", "year:25", "since:٢٠٢٥"]
)
def test_parse_query_bad_date_is_ignored_with_warning(text: str):
    query = parse_query(text + " robots")
    assert query.since is None and query.until is None
    assert len(query.warnings) == 1 and "ignored" in query.warnings[0]
    assert query.terms == ("robots",)


def test_parse_query_inverted_date_range_warns():
    query = parse_query("since:2025 until:2024")
    assert "empty" in query.warnings[0]


def test_parse_query_negated_date_is_ignored():
    assert parse_query("-year:2025").since is None
    assert "cannot be negated" in parse_query("-year:2025").warnings[0]


def test_parse_query_unknown_field_is_text_with_warning():
    query = parse_query("foo:bar baz")
    assert query.terms == ("foo:bar", "baz")
    assert query.warnings == ("unknown field foo: read as text",)


def test_parse_query_field_names_are_case_insensitive():
    assert parse_query("Author:Smith CAT:cs.AI").authors == ("Smith",)
    assert parse_query("Author:Smith CAT:cs.AI").categories == ("cs.AI",)


def test_parse_query_empty_field_value_is_text():
    assert parse_query("author: smith").terms == ("author:", "smith")


@pytest.mark.parametrize(
    ("text", "paper_id"),
    [
        ("2501.01234", "2501.01234"),
        ("  arXiv:2501.01234v2 ", "2501.01234"),
        ("https://arxiv.org/abs/2501.01234v3", "2501.01234"),
        ("https://arxiv.org/pdf/2501.01234.pdf", "2501.01234"),
        ("math.AG/0601001", "math/0601001"),
        ("pt-0123456789abcdef", "pt-0123456789abcdef"),
    ],
)
def test_parse_query_arxiv_id_or_url_opens_the_paper(text: str, paper_id: str):
    query = parse_query(text)
    assert query.paper_id == paper_id
    assert query.terms == ()
    assert query.describe() == f"the paper {paper_id}"


def test_parse_query_id_inside_other_words_is_text():
    query = parse_query("2501.01234 transformers")
    assert query.paper_id is None
    assert query.terms == ("2501.01234", "transformers")


def test_parse_query_url_in_text_gives_no_field_warning():
    query = parse_query("see https://example.org/x")
    assert query.warnings == ()


def test_parse_query_unbalanced_quote_makes_the_rest_a_phrase():
    query = parse_query('graph "neural network models')
    assert query.terms == ("graph",)
    assert query.phrases == ("neural network models",)
    assert query.warnings == ("unbalanced quote: the rest of the query was read as a phrase",)


def test_parse_query_unbalanced_quote_in_a_field_reads_to_the_end():
    query = parse_query('deep author:"Yann LeCun')
    assert query.authors == ("Yann LeCun",)
    assert query.warnings == ("unbalanced quote: the rest of the query was read as author:",)


def test_parse_query_lone_quote_is_ignored():
    query = parse_query('robots "')
    assert query.terms == ("robots",)
    assert query.phrases == ()


def test_parse_query_long_text_is_related_work():
    abstract = (
        "We study how retrieval augmented generation behaves when the retriever is noisy. " * 6
    )
    query = parse_query(abstract + ' e.g.: "quoted -minus cat:cs.CL')
    assert query.is_long_text
    assert query.categories == ("cs.CL",)  # known filters still apply
    assert query.phrases == () and query.not_terms == ()
    assert query.warnings == ()  # no unknown-field or quote noise for a pasted text
    assert query.terms.count("retrieval") == 6  # repeats kept: they weigh the term
    assert "pasted text" in query.describe()


def test_parse_query_long_by_word_count():
    assert parse_query(" ".join(["word"] * 41)).is_long_text
    assert not parse_query(" ".join(["word"] * 40)).is_long_text


def test_parse_query_control_characters_are_dropped():
    query = parse_query("gra\x00ph\u200b \x1b[31mneural\x7f\tnets\ud800")
    assert query.terms == ("graph", "[31mneural", "nets")


def test_clean_text_cuts_at_a_word_boundary():
    cleaned, warnings = clean_text("abcdefghi " * 2000)
    assert len(cleaned) <= QUERY_MAX_CHARS
    assert cleaned.endswith("abcdefghi")
    assert warnings == [f"query cut to its first {QUERY_MAX_CHARS:,} characters"]


def test_clean_text_cuts_one_huge_word():
    cleaned, _ = clean_text("x" * 20_000)
    assert cleaned == "x" * QUERY_MAX_CHARS


def test_parse_query_ten_kilobytes_is_related_work_with_warning():
    query = parse_query("neural network " * 700)
    assert query.is_long_text
    assert query.warnings and "cut" in query.warnings[0]


def test_parse_query_fts_operators_are_plain_words():
    query = parse_query("NEAR(a b) AND OR NOT ^title col:x {x}")
    assert query.terms[:4] == ("NEAR(a", "b)", "AND", "OR")
    assert query.not_terms == ()


def test_parse_query_empty_and_blank():
    for text in ("", "   ", "\x00\x01"):
        query = parse_query(text)
        assert query.is_empty
        assert query.describe() == "everything"


def test_describe_lists_every_part():
    query = parse_query(
        'graph "neural nets" trans* -vision -"image gen" -diff* author:Smith -author:Jones'
        " cat:cs.LG cat:cs.AI -cat:cs.CV since:2024 until:2025"
    )
    assert query.describe() == (
        'any of graph; the phrase "neural nets"; words starting with trans;'
        ' without vision, "image gen", diff*; by Smith; not by Jones; in cs.LG or cs.AI;'
        " not in cs.CV; published 2024-01-01 to 2025-12-31"
    )


def test_describe_open_ended_dates():
    assert parse_query("since:2024").describe() == "published since 2024-01-01"
    assert parse_query("until:2024").describe() == "published until 2024-12-31"


def test_query_is_hashable_and_frozen():
    query = parse_query("a b")
    assert hash(query) == hash(parse_query("a b"))
    with pytest.raises(AttributeError):
        query.terms = ()  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=600))
def test_parse_query_never_raises(text: str):
    query = parse_query(text)
    assert isinstance(query, Query)
    assert isinstance(query.describe(), str)
    assert len(query.text) <= QUERY_MAX_CHARS


SOUP = ['"', "-", "*", ":", "author:", "cat:", "year:", "since:", "until:", "foo:", "(", ")"]
SOUP += ["NEAR", "AND", "2025", "2025-13", "cs.CL", "x", " ", "\x00", "é", "arXiv:2501.01234"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=30).map("".join))
def test_parse_query_never_raises_on_syntax_soup(text: str):
    parse_query(text).describe()
