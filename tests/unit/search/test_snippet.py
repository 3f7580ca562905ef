"""make_snippet: the best window, match spans, no markup."""

from hypothesis import given, settings
from hypothesis import strategies as st

from papertide.search.snippet import Snippet, fold_word, make_snippet

ABSTRACT = (
    "Large language models are widely used. However, their evaluation is costly. "
    "We introduce a benchmark for retrieval augmented generation. Our benchmark covers "
    "twelve domains and measures faithfulness. Experiments show that retrieval helps "
    "small models most, while large models gain little from retrieval."
)


def marked(snippet: Snippet) -> list[str]:
    return [snippet.text[start:end] for start, end in snippet.spans]


def test_make_snippet_short_text_is_whole_with_spans():
    snippet = make_snippet("Graph neural networks for graphs", ["graph"])
    assert snippet == Snippet("Graph neural networks for graphs", ((0, 5),), False, False)


def test_make_snippet_picks_window_with_most_distinct_terms():
    snippet = make_snippet(ABSTRACT, ["faithfulness", "twelve"], width=80)
    assert "twelve domains and measures faithfulness" in snippet.text
    assert marked(snippet) == ["twelve", "faithfulness"]
    assert snippet.clipped_start and snippet.clipped_end
    assert len(snippet.text) <= 80


def test_make_snippet_without_matches_is_the_start():
    snippet = make_snippet(ABSTRACT, ["quantum"], width=60)
    assert ABSTRACT.startswith(snippet.text)
    assert snippet.spans == ()
    assert not snippet.clipped_start and snippet.clipped_end


def test_make_snippet_phrases_prefixes_and_case():
    snippet = make_snippet(ABSTRACT, ['"Retrieval Augmented"', "bench*"], width=400)
    expected = ["benchmark", "retrieval", "augmented", "benchmark", "retrieval", "retrieval"]
    assert marked(snippet) == expected


def test_make_snippet_uses_the_given_normalizer():
    def crude_stem(word: str) -> str:
        return fold_word(word).removesuffix("s")

    snippet = make_snippet("Models and a model.", ["models"], normalize=crude_stem)
    assert marked(snippet) == ["Models", "model"]


def test_make_snippet_accents_fold():
    assert marked(make_snippet("Études de réseaux", ["etudes", "RESEAUX"])) == [
        "Études",
        "réseaux",
    ]


def test_make_snippet_collapses_white_space_and_keeps_text_verbatim():
    snippet = make_snippet("a <b>\n\n  bold</b> & claim", ["bold"])
    assert snippet.text == "a <b> bold</b> & claim"
    assert marked(snippet) == ["bold"]


def test_make_snippet_window_starts_at_a_sentence_or_word():
    near = make_snippet(ABSTRACT, ["faithfulness"], width=60)
    assert near.text.startswith("and measures faithfulness")
    sentence = make_snippet("One two three. Four five six seven " * 3 + "target", ["target"], 40)
    assert sentence.text.startswith("Four")


def test_make_snippet_tiny_width_is_raised_to_a_minimum():
    snippet = make_snippet(ABSTRACT, ["little"], width=0)
    assert "little" in snippet.text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400), st.lists(st.text(max_size=12), max_size=5), st.integers(-5, 300))
def test_make_snippet_spans_are_inside_and_match(text: str, terms: list[str], width: int):
    snippet = make_snippet(text, terms, width)
    for start, end in snippet.spans:
        assert 0 <= start < end <= len(snippet.text)
    assert snippet.text in " ".join(text.split())


WORDS = ["Model", "models", "the", "trans", "Transformer", "retransform", "GPT-4", "x_y", "naïve"]
WORDS += ["Über", "a1", "amodel", "their"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*WORDS, ".", ", ", "(", ")", " ", "\n"]), max_size=120),
    st.lists(st.sampled_from([*WORDS, "tra*", "mod*", "x*", '"the model"', "uber"]), max_size=4),
    st.integers(20, 120),
)
def test_make_snippet_ascii_scan_matches_the_word_by_word_one(
    pieces: list[str], terms: list[str], width: int
):
    # an ASCII text is scanned by one regular expression (the default normalizer only);
    # any other normalizer matches word by word: the same words must match either way
    text = " ".join(pieces)
    assert make_snippet(text, terms, width) == make_snippet(
        text, terms, width, normalize=lambda word: fold_word(word)
    )
