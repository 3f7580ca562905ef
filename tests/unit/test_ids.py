import re

import pytest

from papertide.errors import InputError
from papertide.ids import (
    ORG_SLUG_MAX_CHARS,
    ArxivId,
    canonical_paper_id,
    check_org_slug,
    find_arxiv_ids,
    generated_id,
    is_generated_id,
    org_slug,
    parse_arxiv_id,
    try_parse_arxiv_id,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2501.01234", ArxivId("2501.01234")),
        ("2501.01234v2", ArxivId("2501.01234", 2)),
        ("arXiv:2501.01234v12", ArxivId("2501.01234", 12)),
        ("ARXIV:0704.0001", ArxivId("0704.0001")),
        ("https://arxiv.org/abs/2501.01234v3", ArxivId("2501.01234", 3)),
        ("http://export.arxiv.org/abs/2501.01234", ArxivId("2501.01234")),
        ("https://arxiv.org/pdf/2501.01234v1.pdf", ArxivId("2501.01234", 1)),
        ("https://arxiv.org/pdf/2501.01234", ArxivId("2501.01234")),
        ("https://www.arxiv.org/abs/2501.01234/", ArxivId("2501.01234")),
        ("arxiv.org/html/2501.01234v2#sec1", ArxivId("2501.01234", 2)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v1", ArxivId("hep-th/9901001", 1)),
        ("math.AG/0601001", ArxivId("math/0601001")),
        ("cs.CL/9904010v2", ArxivId("cs/9904010", 2)),
        ("oai:arXiv.org:1706.05371", ArxivId("1706.05371")),
        ("10.48550/arXiv.2501.01234", ArxivId("2501.01234")),
        ("https://doi.org/10.48550/arXiv.2501.01234", ArxivId("2501.01234")),
        ("https://huggingface.co/papers/2405.15738", ArxivId("2405.15738")),
        ("  2501.01234 \n", ArxivId("2501.01234")),
    ],
)
def test_parse_arxiv_id_accepts_every_common_form(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "2501.0123",  # 4 digits after 2015
        "1412.01234",  # 5 digits before 2015
        "0612.0001",  # new style began in 0704
        "2513.01234",  # month 13
        "2501.01234v0",
        "hep-th/990100",
        "https://example.org/abs/2501.01234",
        "2501.01234 and more",
    ],
)
def test_try_parse_arxiv_id_rejects_non_ids(text):
    assert try_parse_arxiv_id(text) is None


def test_parse_arxiv_id_error_names_the_input():
    with pytest.raises(InputError, match="not an arXiv id or URL: 'nope'"):
        parse_arxiv_id("nope")


def test_str_of_arxiv_id_keeps_version():
    assert str(ArxivId("2501.01234", 2)) == "2501.01234v2"
    assert str(ArxivId("hep-th/9901001")) == "hep-th/9901001"


def test_find_arxiv_ids_in_free_text_in_order_without_duplicates():
    text = "See arXiv:2501.01234v2, then hep-th/9901001 and again 2501.01234; not x2501.99999"
    assert find_arxiv_ids(text) == [ArxivId("2501.01234", 2), ArxivId("hep-th/9901001")]


def test_generated_id_is_stable_across_case_and_spacing():
    first = generated_id("Deep  Learning", "An abstract.\n")
    assert first == generated_id("deep learning", "an  abstract.")
    assert first != generated_id("Deep Learning", "Another abstract.")
    assert is_generated_id(first)
    assert not is_generated_id("2501.01234")


def test_canonical_paper_id_keeps_generated_ids_and_drops_versions():
    assert canonical_paper_id("arXiv:2501.01234v5") == "2501.01234"
    pid = generated_id("t", "a")
    assert canonical_paper_id(f" {pid} ") == pid


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("NVIDIA", "nvidia"),
        ("  Tencent   Hunyuan ", "tencent-hunyuan"),
        ("ETH Zürich", "eth-zurich"),
        ("École de Technologie Supérieure", "ecole-de-technologie-superieure"),
        ("Mila \u2013 Quebec AI Institute", "mila-quebec-ai-institute"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("A & B", "a-b"),
        ("--Lab--", "lab"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_org_slug_folds_a_name_to_ascii_words(name: str, slug: str):
    assert org_slug(name) == slug
    if slug:
        assert check_org_slug(slug) == slug


def test_org_slug_of_a_name_without_ascii_is_its_hash_and_long_names_are_cut():
    chinese = org_slug("香港科技大学")
    assert re.fullmatch(r"org-[0-9a-f]{10}", chinese) and chinese == org_slug(" 香港科技大学 ")
    assert chinese != org_slug("台灣大學")
    long = org_slug("word " * 100)
    assert len(long) <= ORG_SLUG_MAX_CHARS and not long.endswith("-")
    assert check_org_slug(long) == long


@pytest.mark.parametrize(
    "text", ["", "Upper", "a--b", "-a", "a-", "a b", "../x", "a/b", "%3C", "é", "a" * 81]
)
def test_check_org_slug_refuses_what_org_slug_never_makes(text: str):
    with pytest.raises(InputError):
        check_org_slug(text)
