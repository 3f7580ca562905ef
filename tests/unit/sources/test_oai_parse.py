"""parse_oai_page against recorded OAI-PMH responses (arXiv) and the built arXivRaw pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from papertide.errors import InputError, SourceUnavailableError
from papertide.models import Record, Rejected, Version
from papertide.sources.files import read_bytes
from papertide.sources.oai_parse import OaiPage, parse_oai_page

DATA = Path(__file__).parents[2] / "data" / "oai"
SOURCE = "arxiv-oai"


def load(name: str) -> bytes:
    return read_bytes(DATA / name)


def parse(data: bytes, prefix: str = "arXiv") -> OaiPage:
    return parse_oai_page(data, prefix, SOURCE)


def records(page: OaiPage) -> list[Record]:
    assert all(isinstance(result, Record) for result in page.results), page.results
    return [result for result in page.results if isinstance(result, Record)]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_parse_oai_page_reads_every_field_of_an_arxiv_record() -> None:
    page = parse(load("getrecord_arXiv_1401.2122.xml"))

    (record,) = records(page)
    paper = record.paper
    assert paper.id == "1401.2122"
    assert paper.title == "New integrable (3+1)-dimensional systems and contact geometry"
    assert paper.authors == ("A. Sergyeyev",)
    assert paper.categories == ("math.AP", "hep-th", "math-ph", "math.DG", "math.MP", "nlin.SI")
    assert paper.comment == (
        "16 pages, LaTeX, no figures, revised and abridged, in this version (v5) the typos were"
        " fixed (including some that have unfortunately crept into the published version too),"
        " Letters in Mathematical Physics (2017)"
    )
    assert paper.journal_ref == "Lett. Math. Phys. 108 (2018), no. 2, 359-376"
    assert paper.doi == "10.1007/s11005-017-1013-4"
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert paper.abstract.startswith("We introduce a novel systematic construction for integrable")
    assert paper.abstract.endswith("rational in the spectral parameter.")
    assert paper.published == utc("2014-01-09T00:00:00")
    assert paper.updated == utc("2017-10-23T00:00:00")
    assert (paper.version, paper.versions) == (None, ())
    assert (page.resumption_token, page.complete_list_size) == (None, None)


def test_parse_oai_page_reads_arxivraw_versions_with_exact_dates() -> None:
    page = parse(load("listrecords_arXivRaw_p1.xml"), "arXivRaw")

    paper = records(page)[0].paper
    assert paper.id == "0901.2279"
    assert paper.version == 3
    assert paper.versions == (
        Version(1, utc("2009-01-15T15:23:02"), "32kb"),
        Version(2, utc("2010-05-26T12:47:59"), "41kb"),
        Version(3, utc("2016-12-16T17:52:39"), "45kb"),
    )
    assert paper.published == utc("2009-01-15T15:23:02")
    assert paper.updated == utc("2016-12-16T17:52:39")
    assert paper.title == "Overconvergent algebraic automorphic forms"
    assert paper.authors == ("David Loeffler",)
    assert paper.categories == ("math.NT",)
    assert paper.doi == "10.1112/plms/pdq019"
    assert paper.journal_ref == "Proc. London Math. Soc. 102 (2011), No. 2, p. 193--228"
    assert paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert paper.comment is not None and paper.comment.startswith("Updated Dec 2016")


def test_parse_oai_page_reads_old_style_arxivraw_id_and_author_string() -> None:
    page = parse(load("listrecords_arXivRaw_p1.xml"), "arXivRaw")

    paper = records(page)[1].paper
    assert (paper.id, paper.version) == ("math/0510544", 2)
    assert paper.authors == ("Naihong Hu", "Dong Liu", "Linsheng Zhu")  # "Liu and and Zhu"
    assert paper.published == utc("2005-10-26T04:35:50")
    assert paper.journal_ref is not None and paper.journal_ref.startswith("Proc. Int. Conf.")


def test_parse_oai_page_reads_a_single_version_paper() -> None:
    page = parse(load("listrecords_arXivRaw_p2.xml"), "arXivRaw")

    paper = records(page)[0].paper
    assert (paper.id, paper.version) == ("hep-th/9901002", 1)
    assert paper.versions == (Version(1, utc("1999-01-04T23:58:16"), "22kb"),)
    assert paper.published == paper.updated == utc("1999-01-04T23:58:16")
    assert paper.authors == ("M. Cvetic", "H. Lu", "C.N. Pope", "T.A Tran")


def test_parse_oai_page_skips_deleted_records() -> None:
    page = parse(load("listrecords_arXivRaw_p1.xml"), "arXivRaw")

    assert [r.paper.id for r in records(page)] == ["0901.2279", "math/0510544", "1001.0909"]


def test_parse_oai_page_reads_the_resumption_token() -> None:
    page = parse(load("listrecords_arXivRaw_p1.xml"), "arXivRaw")

    assert (page.resumption_token, page.complete_list_size) == ("6960524|1001", 6)


def test_parse_oai_page_treats_an_empty_token_as_the_end() -> None:
    raw_last = parse(load("listrecords_arXivRaw_p2.xml"), "arXivRaw")
    arxiv_last = parse(load("listrecords_arXiv_p2.xml"))

    assert (raw_last.resumption_token, raw_last.complete_list_size) == (None, 6)
    assert (arxiv_last.resumption_token, arxiv_last.complete_list_size) == (None, 6)


def test_parse_oai_page_reads_a_list_without_token_as_complete() -> None:
    page = parse(load("listrecords_arXiv_hep-ex.xml"))

    assert [r.paper.id for r in records(page)] == ["1706.05371", "1706.09418", "1707.00874"]
    assert page.resumption_token is None


def test_parse_oai_page_reads_authors_outside_the_arxiv_namespace() -> None:
    page = parse(load("getrecord_arXiv_hepcrawl_samples.xml.gz"))

    papers = {r.paper.id: r.paper for r in records(page)}
    assert len(papers) == 12
    planck = papers["1601.03238"]
    assert planck.authors[:3] == ("Planck Collaboration", "Jieci Wang", "Zehua Tian")
    assert planck.license == "https://creativecommons.org/licenses/by/3.0/"


def test_parse_oai_page_drops_colon_authors() -> None:
    page = parse(load("getrecord_arXiv_hepcrawl_samples.xml.gz"))

    bicep = next(r.paper for r in records(page) if r.paper.id == "1603.05976")
    assert bicep.authors[:4] == ("Keck Array", "BICEP2 Collaborations", "P. Ade", "Z. Ahmed")


def test_parse_oai_page_puts_the_suffix_after_the_name() -> None:
    data = load("getrecord_arXiv_1401.2122.xml").replace(
        b"<forenames>A.</forenames>", b"<forenames>A.</forenames><suffix>Jr</suffix>"
    )

    (record,) = records(parse(data))

    assert record.paper.authors == ("A. Sergyeyev Jr",)


def test_parse_oai_page_keeps_good_records_beside_bad_ones() -> None:
    data = (
        load("listrecords_arXivRaw_p1.xml")
        .replace(b"<title>Overconvergent algebraic automorphic forms</title>", b"")
        .replace(
            b'<version version="v2"><date>Wed, 2 Feb 2011 00',
            b'<version version="vX"><date>Wed, 2 Feb 2011 00',
        )
    )

    no_title, bad_version, good = parse(data, "arXivRaw").results

    assert isinstance(no_title, Rejected) and no_title.reason == "missing title"
    assert no_title.source == SOURCE
    assert no_title.raw.startswith("<record>\n<header>\n <identifier>oai:arXiv.org:0901.2279")
    assert no_title.raw.endswith("</record>")
    assert isinstance(bad_version, Rejected) and bad_version.reason == "bad version 'vX'"
    assert isinstance(good, Record) and good.paper.id == "1001.0909"


def test_parse_oai_page_rejects_metadata_of_another_prefix() -> None:
    page = parse(load("listrecords_arXiv_hep-ex.xml"), "arXivRaw")

    assert {r.reason for r in page.results if isinstance(r, Rejected)} == {
        "expected <arXivRaw> metadata, found <arXiv>"
    }
    assert len(page.results) == 3


def test_parse_oai_page_keeps_html_and_broken_unicode_as_text() -> None:
    data = load("getrecord_arXiv_1401.2122.xml").replace(
        b"<title>New integrable", b"<title>&lt;b&gt;New&lt;/b&gt; W\xc3\x83\xc2\xbcbben integrable"
    )

    (record,) = records(parse(data))

    assert record.paper.title.startswith("<b>New</b> W\u00c3\u00bcbben integrable (3+1)")


def test_parse_oai_page_reads_no_records_match_as_an_empty_list() -> None:
    page = parse(load("error_noRecordsMatch.xml"))

    assert page == OaiPage([], None, None)


def test_parse_oai_page_raises_input_error_for_a_bad_token() -> None:
    with pytest.raises(InputError, match=r"badResumptionToken: Invalid or expired .* start the"):
        parse(load("error_badResumptionToken.xml"))


def test_parse_oai_page_raises_input_error_for_an_unknown_format() -> None:
    with pytest.raises(InputError, match="cannotDisseminateFormat"):
        parse(load("error_cannotDisseminateFormat.xml"))


def test_parse_oai_page_raises_source_unavailable_for_other_errors() -> None:
    data = load("error_noRecordsMatch.xml").replace(b"'noRecordsMatch'", b"'internalError'")

    with pytest.raises(SourceUnavailableError, match="internalError: No records match"):
        parse(data)


def test_parse_oai_page_returns_malformed_xml_as_one_reject() -> None:
    data = load("listrecords_arXivRaw_p1.xml")[:2000]

    page = parse(data, "arXivRaw")

    (rejected,) = page.results
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("malformed XML: ")
    assert rejected.raw == data.decode()
    assert page.malformed and page.resumption_token is None


def test_parse_oai_page_returns_a_foreign_document_as_one_reject() -> None:
    page = parse(b"<feed xmlns='http://www.w3.org/2005/Atom'/>")

    assert page.malformed
    assert page.results[0].reason.startswith("malformed XML: not an OAI-PMH response")  # type: ignore[union-attr]


def test_parse_oai_page_refuses_an_unknown_prefix() -> None:
    with pytest.raises(InputError, match="oai_dc"):
        parse(load("listrecords_arXiv_hep-ex.xml"), "oai_dc")
