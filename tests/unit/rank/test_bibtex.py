"""BibTeX cold start: parsing real-world shapes, matching to stored papers, hostile input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertide.errors import InputError
from papertide.rank.bibtex import (
    MAX_BIBTEX_CHARS,
    BibEntry,
    match_entries,
    parse_bibtex,
    seed_feedback,
    title_key,
)

ARXIV_EXPORT = """% exported by arXiv
@misc{vaswani2017attention,
      title={Attention Is All You Need},
      author={Ashish Vaswani and Noam Shazeer},
      year={2017},
      eprint={1706.03762},
      archivePrefix={arXiv},
      primaryClass={cs.CL},
}
"""


def test_parse_bibtex_reads_an_arxiv_export():
    assert parse_bibtex(ARXIV_EXPORT) == [
        BibEntry("vaswani2017attention", "misc", "Attention Is All You Need", "1706.03762")
    ]


def test_parse_bibtex_finds_ids_in_urls_dois_and_journal_fields():
    text = """
@article{a, title = "Deep {L}earning for \\emph{Everything}", url = {https://arxiv.org/abs/2401.01234v2}}
@article{b, doi = {10.48550/arXiv.2312.00752}}
@ARTICLE(c, journal = {arXiv preprint arXiv:2301.00001}, title = {X} # { and } # "Y")
@inproceedings{d, title={No identifier}, doi={10.1000/xyz}, year=2020}
"""
    assert parse_bibtex(text) == [
        BibEntry("a", "article", "Deep Learning for Everything", "2401.01234"),
        BibEntry("b", "article", "", "2312.00752", "10.48550/arXiv.2312.00752"),
        BibEntry("c", "article", "X and Y", "2301.00001"),
        BibEntry("d", "inproceedings", "No identifier", None, "10.1000/xyz"),
    ]


def test_parse_bibtex_skips_comments_and_empty_entries_and_contains_broken_ones():
    text = """@comment{title = {not an entry}}
@string{conf = "NeurIPS"}
@preamble{"\\newcommand"}
@article{broken, title = {never closed
@article{empty, year = 2020}
@article{good, title = {Kept}}
"""
    entries = parse_bibtex(text)  # the unclosed entry ends where the next entry's line starts
    assert [(entry.key, entry.title) for entry in entries] == [
        ("broken", "never closed"),
        ("good", "Kept"),
    ]


def test_parse_bibtex_decodes_utf8_and_latin1_bytes():
    utf8 = "@article{k, title={Café}}".encode()
    latin1 = "@article{k, title={Café}}".encode("latin-1")
    assert parse_bibtex(b"\xef\xbb\xbf" + utf8)[0].title == "Café"
    assert parse_bibtex(latin1)[0].title == "Café"


def test_parse_bibtex_refuses_binary_and_huge_files():
    with pytest.raises(InputError, match="NUL"):
        parse_bibtex(b"@article{k, title={a}}\x00\x01")
    with pytest.raises(InputError, match="too large"):
        parse_bibtex("x" * (MAX_BIBTEX_CHARS + 1))


def test_match_entries_prefers_the_arxiv_id_then_the_title():
    entries = parse_bibtex(
        ARXIV_EXPORT
        + "@article{t, title={Graph Neural Networks: A Review}}\n"
        + "@article{gone, title={Unknown}, eprint={2501.99999}}\n"
    )
    by_title = {title_key("Graph neural networks - a review!"): "1812.08434"}
    match = match_entries(entries, {"1706.03762", "1812.08434"}, by_title)
    assert match.matched == (("vaswani2017attention", "1706.03762"), ("t", "1812.08434"))
    assert [entry.key for entry in match.unmatched] == ["gone"]
    assert match.paper_ids == ("1706.03762", "1812.08434")
    assert [f.signal for f in seed_feedback([*match.paper_ids, "1706.03762"])] == ["seed", "seed"]


def test_title_key_ignores_case_accents_tex_and_punctuation():
    assert (
        title_key("{Ré}sumé: \\textbf{Deep}  Nets!")
        == title_key("resume deep nets")
        == ("resume deep nets")
    )


BIBTEX_PIECES = st.sampled_from(
    ["@", "@article", "{", "}", "(", ")", ",", "=", '"', "#", "\\", "title", "eprint",
     "arXiv:2401.01234", "\n", " ", "@comment", "@string{", "~", "\x00", "é"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(BIBTEX_PIECES).map("".join), st.binary()))
def test_parse_bibtex_on_hostile_input_returns_entries_or_raises_input_error(text):
    try:
        entries = parse_bibtex(text)
    except InputError:
        return
    for entry in entries:
        assert isinstance(entry, BibEntry)
        assert entry.title or entry.arxiv_id
