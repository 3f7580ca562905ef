"""parse_atom_feed against recorded arXiv API responses (2016 and 2026 feed formats)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from papertide.models import Record, Rejected, Version
from papertide.sources.arxiv_parse import AtomPage, parse_atom_feed
from papertide.sources.files import read_bytes

DATA = Path(__file__).parents[2] / "data" / "arxiv_api"
SOURCE = "arxiv-api"


def load(name: str) -> bytes:
    return read_bytes(DATA / name)


def parse(data: bytes) -> AtomPage:
    return parse_atom_feed(data, SOURCE)


def records(page: AtomPage) -> list[Record]:
    assert all(isinstance(result, Record) for result in page.results), page.results
    return [result for result in page.results if isinstance(result, Record)]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_parse_atom_feed_reads_every_field_of_a_2016_entry() -> None:
    page = parse(load("2016_id_list_1111.2011v2.xml"))

    (record,) = records(page)
    paper = record.paper
    assert (page.total_results, page.start_index, page.items_per_page) == (1, 0, 10)
    assert paper.id == "1111.2011"
    assert paper.version == 2
    assert paper.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert paper.abstract.startswith("Theoretical description of anisotropic systems, such as")
    assert paper.abstract.endswith("extra dimension to the theory describing a single node.")
    assert "\n" not in paper.abstract
    assert paper.authors == ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic")
    assert paper.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert paper.comment == "8 pages, 3 figures. Published version"
    assert paper.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert paper.doi == "10.1103/PhysRevB.85.115117"
    assert paper.published == utc("2011-11-08T18:48:36")
    assert paper.updated == utc("2012-04-02T12:38:54")
    assert paper.versions == (
        Version(1, utc("2011-11-08T18:48:36")),
        Version(2, utc("2012-04-02T12:38:54")),
    )
    assert paper.links == ()


def test_parse_atom_feed_reads_a_2026_entry_with_version_3() -> None:
    page = parse(load("2026_q_testing_s0_m10.xml.gz"))

    paper = next(r.paper for r in records(page) if r.paper.id == "2204.08348")
    assert paper.version == 3
    assert paper.title == "Automated Test Generation for REST APIs: No Time to Rest Yet"
    assert paper.authors == ("Myeongsoo Kim", "Qi Xin", "Saurabh Sinha", "Alessandro Orso")
    assert paper.categories == ("cs.SE",)
    assert paper.doi == "10.1145/3533767.3534401"
    assert paper.journal_ref is not None
    assert paper.journal_ref.startswith("InProceedings of the 31st ACM SIGSOFT")
    assert paper.versions == (
        Version(1, utc("2022-04-18T14:46:24")),
        Version(3, utc("2022-07-06T05:12:56")),
    )


def test_parse_atom_feed_reads_old_style_id() -> None:
    (record,) = records(parse(load("2026_id_astro-ph_0601001.xml")))

    paper = record.paper
    assert (paper.id, paper.version) == ("astro-ph/0601001", 1)
    assert paper.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert paper.categories == ("astro-ph",)
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.comment is not None and paper.comment.startswith("62 pages including 16 figures")
    assert "V_max<17.5" in paper.abstract
    assert paper.doi is None
    assert paper.versions == (Version(1, utc("2006-01-02T14:57:58")),)


def test_parse_atom_feed_reads_old_style_id_with_version_and_cross_lists() -> None:
    (record,) = records(parse(load("2026_id_quant-ph_0201082v1.xml")))

    assert (record.paper.id, record.paper.version) == ("quant-ph/0201082", 1)
    assert record.paper.categories == ("quant-ph", "cs.PL")
    assert record.paper.authors == ("Stephen Blaha",)
    assert record.paper.comment == "32 pages"


def test_parse_atom_feed_puts_primary_category_first() -> None:
    data = load("2026_id_quant-ph_0201082v1.xml").replace(
        b'<arxiv:primary_category term="quant-ph"/>', b'<arxiv:primary_category term="cs.PL"/>'
    )

    (record,) = records(parse(data))

    assert record.paper.categories == ("cs.PL", "quant-ph")
    assert record.paper.primary_category == "cs.PL"


def test_parse_atom_feed_keeps_a_title_that_is_just_zero() -> None:
    (record,) = records(parse(load("2026_id_2104.12255v1.xml")))

    assert record.paper.title == "0"
    assert (record.paper.id, record.paper.version) == ("2104.12255", 1)


def test_parse_atom_feed_turns_an_api_error_entry_into_a_reject() -> None:
    page = parse(load("2026_id_abc.xml"))

    (rejected,) = page.results
    assert isinstance(rejected, Rejected)
    assert rejected.source == SOURCE
    assert rejected.reason == "arXiv API error: incorrect id format for abc"
    assert "api/errors#incorrect_id_format_for_abc" in rejected.raw
    assert not page.malformed


def test_parse_atom_feed_reads_a_feed_without_entries() -> None:
    page = parse(load("2026_id_0000.0000.xml"))

    assert page == AtomPage([], 0, 0, 100)


def test_parse_atom_feed_reads_the_paging_counters() -> None:
    page = parse(load("2026_q_testing_s10_m10.xml.gz"))

    assert (page.total_results, page.start_index, page.items_per_page) == (214881, 10, 10)
    assert [r.paper.id for r in records(page)][:3] == ["2403.16981", "2004.03322", "1912.09881"]
    assert len(page.results) == 10


def test_parse_atom_feed_returns_malformed_xml_as_one_reject() -> None:
    data = load("2026_id_1605.08386.xml")[:700]

    page = parse(data)

    (rejected,) = page.results
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("malformed XML: ")
    assert rejected.raw == data.decode()
    assert (page.total_results, page.malformed) == (0, True)


def test_parse_atom_feed_returns_a_non_atom_document_as_one_reject() -> None:
    page = parse(b"<html><body>Service Unavailable</body></html>")

    (rejected,) = page.results
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "malformed XML: not an Atom feed (root element html)"
    assert page.malformed


def test_parse_atom_feed_returns_invalid_utf8_as_one_reject() -> None:
    data = load("2026_id_1605.08386.xml").replace(b"Heat-bath", b"Heat\xff-bath")

    page = parse(data)

    assert page.malformed
    assert "\ufffd" in page.results[0].raw  # type: ignore[union-attr]


def test_parse_atom_feed_keeps_good_entries_beside_bad_ones() -> None:
    page = parse(load("2026_edited_bad_entries.xml"))

    first, no_title, good, bad_id = page.results
    assert isinstance(first, Record) and first.paper.id == "1605.08386"
    assert isinstance(good, Record) and good.paper.id == "quant-ph/0201082"
    assert isinstance(no_title, Rejected) and no_title.reason == "missing title"
    assert "<id>http://arxiv.org/abs/2104.12255v1</id>" in no_title.raw
    assert no_title.raw.startswith("<entry")
    assert isinstance(bad_id, Rejected)
    assert bad_id.reason == "not an arXiv id: 'http://arxiv.org/abs/9999.0000v1'"
    assert page.total_results == 4


def test_parse_atom_feed_keeps_html_in_a_title_as_text() -> None:
    first = parse(load("2026_edited_bad_entries.xml")).results[0]

    assert isinstance(first, Record)
    assert first.paper.title == "Heat-bath random walks with <i>Markov</i> bases"


def test_parse_atom_feed_keeps_broken_unicode_as_text() -> None:
    page = parse(load("2026_q_testing_s20_m10.xml.gz"))
    (author_page_record,) = records(parse(load("2026_id_1707.08567.xml")))

    paper = next(r.paper for r in records(page) if r.paper.id == "2306.03845")
    # arXiv's own mojibake: UTF-8 of "ω" read as Latin-1 ("\u00cf\u0089"); stored as it came
    assert paper.title == "$\u00cf\u0089$Test: WebView-Oriented Testing for Android Applications"
    assert "Dirk W\u00c3\u00bcbben" in author_page_record.paper.authors


def test_parse_atom_feed_rejects_an_entry_without_id() -> None:
    data = load("2026_id_1605.08386.xml").replace(
        b"<id>http://arxiv.org/abs/1605.08386v1</id>", b"<id> </id>"
    )

    (rejected,) = parse(data).results

    assert isinstance(rejected, Rejected)
    assert rejected.reason == "missing id"


def test_parse_atom_feed_rejects_an_entry_with_a_bad_date() -> None:
    data = load("2026_id_1605.08386.xml").replace(
        b"<published>2016-05-26T17:59:46Z</published>", b"<published>yesterday</published>"
    )

    (rejected,) = parse(data).results

    assert isinstance(rejected, Rejected)
    assert rejected.reason == "published is not a date: 'yesterday'"


def test_parse_atom_feed_needs_total_results() -> None:
    data = load("2026_id_1605.08386.xml").replace(
        b"<opensearch:totalResults>1</opensearch:totalResults>", b""
    )

    page = parse(data)

    assert page.malformed
    assert page.results[0].reason == "malformed XML: no opensearch:totalResults"  # type: ignore[union-attr]
