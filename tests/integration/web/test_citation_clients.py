"""Feeds and citation downloads as real clients read them (#12, defects 6, 7 and 8): feedparser
on every feed, bibtexparser v2 + pybtex (strict) + pdflatex/bibtex on every .bib, rispy on every
.ris, the CSL schema on every .csl.json, and the citation_* meta tags Zotero reads.

The store holds a recorded Hugging Face day and the known troublemakers: "$60", "^" outside math,
Greek letters, two papers whose keys are both chen2026minimum, a DOI that tries to add a field,
and abstracts with "<MASK>", "</Think>" and "&".
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

import feedparser
import pytest
from fastapi.testclient import TestClient

from papertide.models import Follow, Listing, Paper, Record, User
from papertide.web.api.foryou import foryou_feed_url
from papertide.web.feeds.routes import following_feed_url
from tests.integration.citation_clients import (
    bibtex_fields,
    bibtex_keys,
    compile_bibliography,
    csl_items,
    require_tex,
    ris_keys,
)
from tests.integration.web.api_world import HF_DAY, NOW, TODAY, World, build_app, build_world

ABSTRACT = "We predict the <MASK> token & stop at </Think> tags; a < b && c > d.\nSecond line."
INJECTED_DOI = "10.1/x}, note = {injected"
TROUBLE = {
    "2603.20001": ("Minimum Bayes risk decoding on $60 GPUs", ("Wei Chen", "Ada Lovelace")),
    "2603.20002": ("Minimum description length for M^3 tokens", ("Xi Chen",)),
    "2603.20003": ("α-Fairness in Δ-networks: $π^2$ and μ-transfer", ("Émile Łukasz Şahin",)),  # noqa: RUF001
    "2603.20004": ("S$^{3}$G over $\\mathbb{Z}_{121}$: 100% _fast_ & {braced", ("Nguyễn Thị",)),
}
LISTS = ["/daily/2026-03-11", "/daily/2026-03-10", "/week/2026-W11", "/month/2026-03"]
WEEK_PAPERS = 28 + 2 + len(TROUBLE)  # the recorded day, the hostile and old-style papers


def trouble_records() -> list[Record]:
    records = []
    for position, (paper_id, (title, authors)) in enumerate(sorted(TROUBLE.items()), start=2):
        paper = Paper(
            paper_id,
            title,
            ABSTRACT,
            authors,
            ("cs.CL",),
            published=datetime(2026, 3, 9, 17, 0, tzinfo=UTC),
            doi=INJECTED_DOI if paper_id == "2603.20004" else None,
        )
        records.append(Record(paper, Listing(TODAY, paper_id, position, None, NOW)))
    return records


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("citations"))
    built.store.write_batch(trouble_records(), [])
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


@dataclass(frozen=True)
class Reader:
    """A signed-in user with a collection of the troublemakers and a followed category."""

    user: User
    auth: dict[str, str]
    collection_id: int


@pytest.fixture(scope="module")
def reader(world: World) -> Reader:
    user, token = world.user_with_token("zotero")
    for paper_id in [*TROUBLE, "2603.11111"]:
        world.services.community.bookmark(user, paper_id, "Thesis")
    world.services.community.follow(user, Follow("category", "cs.CL"), on=True)
    [collection] = world.store.collections_of(user.id)
    return Reader(user, {"Authorization": f"Bearer {token}"}, collection.id)


def download_paths(reader: Reader) -> list[str]:
    """Every list download (without its extension): days, week, month, a search, a collection,
    then single papers."""
    paths = [*LISTS, "/search", f"/collections/{reader.collection_id}"]
    return paths + [f"/papers/{paper_id}" for paper_id in TROUBLE]


def download(client: TestClient, reader: Reader, path: str, extension: str) -> str:
    params = {"q": "minimum tokens"} if path == "/search" else {}
    response = client.get(f"{path}.{extension}", params=params, headers=reader.auth)
    assert response.status_code == 200, (path, response.text[:200])
    return response.text


def downloads(client: TestClient, reader: Reader, extension: str) -> dict[str, str]:
    """Every download in one format, by path."""
    return {path: download(client, reader, path, extension) for path in download_paths(reader)}


def test_every_bib_reads_in_bibtexparser_and_strict_pybtex_with_unique_keys(client, reader):
    """Defect 7: repeated keys, `$60`, `^`, Greek letters and a DOI that adds a field."""
    served: dict[str, str] = {}
    keys: dict[str, list[str]] = {}
    for path in download_paths(reader):  # the daily page first: it was there before the rest
        served[path] = download(client, reader, path, "bib")
        keys[path] = bibtex_keys(served[path])
    assert len(keys["/week/2026-W11"]) == len(keys["/month/2026-03"]) == WEEK_PAPERS
    assert {"chen2026minimuma", "chen2026minimumb"} <= set(keys["/daily/2026-03-11"])
    assert keys["/papers/2603.20001"] == ["chen2026minimum"]  # alone, it needs no suffix
    fields = bibtex_fields(served["/daily/2026-03-11"])
    injected = next(f for f in fields.values() if f["eprint"] == "2603.20004")
    assert set(injected) == {"title", "author", "year", "eprint", "archivePrefix", "primaryClass",
                             "url", "doi"}  # fmt: skip
    assert "}" not in injected["doi"] and "," not in injected["doi"]


@pytest.mark.parametrize("day", ["2026-03-11", str(HF_DAY)])
def test_a_whole_day_bib_compiles_with_pdflatex_and_bibtex(client, tmp_path, day):
    require_tex()
    bib = client.get(f"/daily/{day}.bib").text
    bbl = compile_bibliography(bib, tmp_path / day)
    assert bbl.count("\\bibitem") == len(bibtex_keys(bib)) > 0


def test_ris_and_csl_json_read_in_rispy_and_the_csl_schema_with_the_bib_keys(client, reader):
    """Defect 8: RIS and CSL-JSON beside every .bib, with the same keys in the same order."""
    bib = downloads(client, reader, "bib")
    ris = downloads(client, reader, "ris")
    csl = downloads(client, reader, "csl.json")
    for path, text in bib.items():
        keys = bibtex_keys(text)
        assert ris_keys(ris[path]) == keys, path
        assert [item["id"] for item in csl_items(csl[path])] == keys, path
    [item] = csl_items(csl["/papers/2603.20003"])
    assert item["title"] == TROUBLE["2603.20003"][0]
    assert item["author"] == [{"family": "Şahin", "given": "Émile Łukasz"}]
    paper = client.get("/papers/2603.20001.ris")
    assert paper.headers["content-type"] == "application/x-research-info-systems; charset=utf-8"
    assert 'filename="2603.20001.ris"' in paper.headers["content-disposition"]
    listed = client.get("/week/2026-W11.csl.json")
    assert (
        listed.headers["content-type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    )
    assert client.get("/week/2026-W99.ris").status_code == 422


class MetaTags(HTMLParser):
    """The <meta name=... content=...> pairs of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = values.get("name") or ""
        if tag == "meta" and name.startswith("citation_"):
            self.tags.append((name, values.get("content") or ""))


def test_paper_page_has_citation_meta_tags_and_download_links(client):
    """Defect 8: the tags Zotero's "save" button reads, one citation_author per author."""
    page = client.get("/papers/2603.20001")
    parser = MetaTags()
    parser.feed(page.text)
    assert parser.tags == [
        ("citation_title", "Minimum Bayes risk decoding on $60 GPUs"),
        ("citation_author", "Chen, Wei"),
        ("citation_author", "Lovelace, Ada"),
        ("citation_date", "2026/03/09"),
        ("citation_arxiv_id", "2603.20001"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2603.20001"),
    ]
    for extension in ("bib", "ris", "csl.json"):
        assert f'href="/papers/2603.20001.{extension}"' in page.text
    for path in ("/daily/2026-03-11", "/week/2026-W11"):
        assert f'href="{path}.ris"' in client.get(path).text


def feed_paths(world: World, reader: Reader) -> list[str]:
    """Every feed, with {fmt} for rss or atom; the private ones with their tokens."""
    following = following_feed_url(world.services, reader.user).replace(".rss?", ".{fmt}?")
    foryou = foryou_feed_url(world.services, reader.user).replace(".rss?", ".{fmt}?")
    return [
        "/feeds/daily.{fmt}?date=2026-03-11",
        "/feeds/search.{fmt}?q=minimum",
        "/feeds/authors/Wei%20Chen.{fmt}",
        "/feeds/categories/cs.CL.{fmt}",
        "/feeds/trending.{fmt}",
        site_path(following),
        site_path(foryou),
    ]


def site_path(url: str) -> str:
    """/path?query of an absolute URL on the site."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_every_feed_reads_in_feedparser_with_every_abstract_intact(client, world, reader, fmt):
    """Defect 6: RSS readers dropped "<MASK>" and "</Think>" as tags; a private feed's self
    link lost its token and answered 403."""
    for path in feed_paths(world, reader):
        response = client.get(path.format(fmt=fmt))
        assert response.status_code == 200, path
        parsed = feedparser.parse(response.text)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
        for entry in parsed.entries:
            paper = world.store.get_paper(entry.link.rsplit("/papers/", 1)[1])
            assert paper is not None
            summary = entry.summary_detail
            text = html.unescape(summary.value) if summary.type == "text/html" else summary.value
            assert text == " ".join(paper.abstract.split()), (path, entry.link)
        self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
        assert client.get(site_path(self_link)).status_code == 200, self_link
