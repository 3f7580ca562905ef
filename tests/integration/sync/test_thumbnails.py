"""Thumbnails end to end: real PDFs made with Debian's pdflatex, rendered in a limited child
process; a corrupt one refused and remembered; sync fetching the latest list's PDFs from a
loopback server; the site serving them with cache headers and showing a card without one."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.errors import InputError
from papertide.index.paths import thumbnail_folder
from papertide.index.thumbnails import MAX_PDF_BYTES, WIDTH_PX, Thumbnails
from papertide.sources.http import PoliteFetcher
from papertide.store.sqlite import SqliteStore
from papertide.sync.service import SyncFetchers, SyncService
from papertide.web.app import create_app
from papertide.wiring import build_web_services
from tests.replay_server import ReplayServer, Reply, replay_server

DATA = Path(__file__).parents[2] / "data"
DAY = datetime(2026, 3, 10, 7, tzinfo=UTC)
GOOD, BROKEN = "2603.00101", "2603.00102"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A one-page paper typeset by pdflatex."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (make setup installs texlive-latex-base)")
    folder = tmp_path_factory.mktemp("tex")
    (folder / "p.tex").write_text(
        r"\documentclass{article}\begin{document}\title{Thumbnails \& $x^2$}\author{Ada}"
        r"\maketitle Some text.\end{document}"
    )
    subprocess.run(
        ["pdflatex", "-interaction=batchmode", "p.tex"], cwd=folder, check=True, timeout=120
    )
    return (folder / "p.pdf").read_bytes()


def test_the_first_page_becomes_a_small_webp(pdf: bytes, tmp_path: Path) -> None:
    thumbnails = Thumbnails(tmp_path / "thumbs")
    path = thumbnails.render("hep-th/9901001", pdf)
    assert path.name == "hep-th_9901001.webp" and thumbnails.has("hep-th/9901001")
    with Image.open(path) as image:
        assert image.format == "WEBP"
        assert image.width == WIDTH_PX and image.height > image.width  # a portrait page
    assert [p.name for p in (tmp_path / "thumbs").iterdir()] == [path.name]  # nothing aside


@pytest.mark.parametrize(
    ("pdf_bytes", "reason"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", "cannot render the PDF"),
        (b"<html>not a pdf</html>", "cannot render the PDF"),
        (b"%PDF" + b"\0" * MAX_PDF_BYTES, "at most"),
    ],
)
def test_a_pdf_that_cannot_be_rendered_is_refused_and_remembered(
    tmp_path: Path, pdf_bytes: bytes, reason: str
) -> None:
    thumbnails = Thumbnails(tmp_path / "thumbs")
    with pytest.raises(InputError, match=reason):
        thumbnails.render(BROKEN, pdf_bytes)
    assert not thumbnails.has(BROKEN)
    assert reason in (tmp_path / "thumbs" / f"{BROKEN}.failed").read_text()
    assert thumbnails.wanted([BROKEN, GOOD]) == [GOOD]


def hf_day(*paper_ids: str) -> bytes:
    """The recorded 2026-03-10 list's first item once per id."""
    items = json.loads(gzip.decompress((DATA / "hf" / "2026-03-10.json.gz").read_bytes()))
    listed = []
    for n, paper_id in enumerate(paper_ids):
        item = json.loads(json.dumps(items[n]))
        item["paper"]["id"] = paper_id
        listed.append(item)
    return json.dumps(listed).encode()


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as server:
        yield server


def test_sync_makes_the_latest_lists_thumbnails_and_the_site_shows_them(
    pdf: bytes, server: ReplayServer, tmp_path: Path
) -> None:
    server.add("/hf", Reply(hf_day(GOOD, BROKEN)), date="2026-03-10")
    server.add("/hf", Reply(b"[]"))
    server.add(f"/pdf/{GOOD}", Reply(pdf, headers={"Content-Type": "application/pdf"}))
    server.add(f"/pdf/{BROKEN}", Reply(b"%PDF-1.5 truncated", headers={}))
    settings = Settings(
        db=str(tmp_path / "p.db"),
        hf_daily_url=f"{server.url}/hf",
        arxiv_pdf_url=f"{server.url}/pdf/",
        hf_mirror=True,
        sync_sources="",
        http_retries=0,
    )
    clock = FixedClock(DAY)
    store = SqliteStore(tmp_path / "p.db", clock)
    store.migrate()
    folder = thumbnail_folder(settings)
    assert folder == tmp_path / "p.db.thumbnails"
    client = httpx.Client(timeout=5.0)
    fetchers = SyncFetchers(PoliteFetcher(client, clock, 3.0, 0), PoliteFetcher(client, clock, 0))
    sync = SyncService(settings, store, clock, fetchers, thumbnails=Thumbnails(folder))

    run = sync.run()
    assert run.status == "ok", run.error
    assert run.sources["thumbnails"]["new"] == 1
    assert run.sources["thumbnails"]["quarantined"] == 1
    assert sync.run().sources["thumbnails"]["new"] == 0  # neither PDF is fetched again
    assert [r.path for r in server.requests if r.path.startswith("/pdf/")] == [
        f"/pdf/{GOOD}",
        f"/pdf/{BROKEN}",
    ]

    with TestClient(create_app(build_web_services(settings, clock, store))) as site:
        image = site.get(f"/thumbnails/{GOOD}.webp")
        assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
        assert image.headers["cache-control"] == "public, max-age=604800"
        assert site.head(f"/thumbnails/{GOOD}.webp").headers["content-length"] == str(
            len(image.content)
        )
        for missing in (BROKEN, "..%2Fp.db", ".hidden"):
            assert site.get(f"/thumbnails/{missing}.webp").status_code == 404
        daily = site.get("/daily/2026-03-10").text
        assert f'<img class="thumb" src="/thumbnails/{GOOD}.webp"' in daily
        assert 'loading="lazy"' in daily
        broken_page = site.get(f"/papers/{BROKEN}").text
        assert 'class="thumb thumb-card thumb-full"' in broken_page
        assert "/thumbnails/" not in broken_page
