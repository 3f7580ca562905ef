"""Citation keys: one rule for every export, unique within an export, stable under reordering."""

from datetime import UTC, datetime

import pytest

from papertide.citation.keys import CitationKeys, Name, base_key, paper_year, split_name
from papertide.models import Paper


def paper(pid: str, title: str = "Minimum description length", author: str = "Wei Chen") -> Paper:
    return Paper(pid, title, "", (author,), published=datetime(2026, 3, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("Ada King Lovelace", Name("Lovelace", "Ada King")),
        ("Jan van der Berg", Name("van der Berg", "Jan")),
        ("van der Berg, Jan", Name("van der Berg", "Jan")),
        ("Martin Luther King Jr.", Name("King", "Martin Luther", "Jr.")),
        ("OpenAI", Name("OpenAI")),
        ("  Émile   Zola ", Name("Zola", "Émile")),
        ("A, B, C", Name("C", "A B")),
    ],
)
def test_split_name(name, split):
    assert split_name(name) == split


def test_inverted_name_puts_the_family_first():
    assert Name("King", "Martin Luther", "Jr.").inverted == "King, Jr., Martin Luther"
    assert Name("OpenAI").inverted == "OpenAI"


def test_base_key_is_surname_year_and_first_significant_word():
    assert base_key(paper("2603.00001", "The \\textit{Fast} way", "Émile Zola")) == ("zola2026fast")
    assert base_key(Paper("2311.00001", "On the A of B", "", ("J. Doe",))) == "doe2023b"
    assert base_key(Paper("gen-abc", "123", "")) == "anonpaper"
    assert paper_year(Paper("2311.00001", "x", "")) == 2023


def test_colliding_papers_get_suffixes_in_id_order_whatever_the_export_order():
    first, second, other = paper("2603.00002"), paper("2603.00001"), paper("2603.00003", "Other")
    for order in ([first, second, other], [other, second, first]):
        keys = CitationKeys(order)
        assert keys.key(second) == "chen2026minimuma"
        assert keys.key(first) == "chen2026minimumb"
        assert keys.key(other) == "chen2026other"


def test_a_suffix_never_takes_a_key_another_paper_has():
    lonely = paper("2603.00009", "Minimuma")  # its own base key is chen2026minimuma
    pair = [paper("2603.00001"), paper("2603.00002")]
    keys = CitationKeys([*pair, lonely])
    assert [keys.key(p) for p in (*pair, lonely)] == [
        "chen2026minimumb",
        "chen2026minimumc",
        "chen2026minimuma",
    ]


def test_a_paper_the_keys_were_not_built_with_still_gets_a_unique_key():
    keys = CitationKeys([paper("2603.00001"), paper("2603.00002")])
    late = paper("2603.00005")
    assert keys.key(late) == "chen2026minimumc"
    assert keys.key(late) == "chen2026minimumc"
    assert CitationKeys([]).key(late) == "chen2026minimum"


def test_suffixes_go_on_past_z():
    papers = [paper(f"2603.{n:05d}") for n in range(30)]
    keys = CitationKeys(papers)
    assert [keys.key(p)[-2:] for p in papers[25:28]] == ["mz", "aa", "ab"]
    assert len({keys.key(p) for p in papers}) == 30
