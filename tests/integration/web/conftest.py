"""The site under test: create_app over a real SQLite store in tmp_path holding a few papers
(hostile titles with <script>, entities and LaTeX) and listings, real search, accounts,
community and trending services, driven through FastAPI's TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from papertide.clock import FixedClock
from papertide.community.actions import FetchPapers
from papertide.community.ratelimit import RateLimits
from papertide.config import Settings
from papertide.digest.send import Mailer, RecordingMailer
from papertide.index.embed import HashEmbedder
from papertide.index.refresh import refresh_indexes
from papertide.models import Link, Listing, Paper, Record
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from papertide.web.services import WebServices
from papertide.wiring import build_web_services

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
YESTERDAY = date(2026, 1, 14)
OLD_DAY = date(2026, 1, 5)
SECRET = b"web-tests-secret-key-32-bytes-ok"
PASSWORD = "correct horse battery"
HOSTILE_ID = "2601.00001"
HOSTILE_TITLE = "<script>alert('title')</script> Tom &amp; Jerry: $\\alpha < \\beta$ attention"
HOSTILE_ABSTRACT = (
    "We show <img src=x onerror=alert(1)> that sparse attention costs $O(n \\log n)$ "
    "and \\(x^2\\) & more. Code: javascript:alert(2)"
)
PLAIN_ID = "2601.00002"
VISION_ID = "2601.00003"
OLD_STYLE_ID = "hep-th/9901001"
UNLISTED_ID = "2601.00004"
FETCHABLE_ID = "2601.09999"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def make_paper(paper_id: str, title: str, abstract: str, **extra: object) -> Paper:
    values: dict[str, object] = {
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.CL", "cs.LG"),
        "published": datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
        **extra,
    }
    return Paper(paper_id, title, abstract, **values)  # type: ignore[arg-type]


def records() -> list[Record]:
    hostile = make_paper(
        HOSTILE_ID,
        HOSTILE_TITLE,
        HOSTILE_ABSTRACT,
        links=(Link("code", "https://github.com/lab/sparse"), Link("project", "javascript:x")),
    )
    plain = make_paper(PLAIN_ID, "Plain transformers for translation", "Translation with models.")
    vision = make_paper(
        VISION_ID,
        "Seeing images with convolutions",
        "Image recognition with deep convolutional networks.",
        authors=("Grace Hopper",),
        categories=("cs.CV",),
    )
    old = make_paper(
        OLD_STYLE_ID,
        "Strings on an old identifier",
        "Branes and strings.",
        authors=("Edward Witten",),
        categories=("hep-th",),
        published=datetime(1999, 1, 4, tzinfo=UTC),
    )
    unlisted = make_paper(UNLISTED_ID, "A paper never listed", "Wind power forecasting.")
    return [
        Record(hostile, Listing(TODAY, HOSTILE_ID, 0, "mallory", NOW, upvotes=5, github_stars=42)),
        Record(plain, Listing(TODAY, PLAIN_ID, 1, None, None, upvotes=10, num_comments=1)),
        Record(vision, Listing(YESTERDAY, VISION_ID, 0, None, None, upvotes=3)),
        Record(old, Listing(OLD_DAY, OLD_STYLE_ID, 0, None, None, upvotes=1)),
        Record(unlisted),
    ]


@dataclass
class CannedArxiv:
    """Stands in for arXiv when a paper is submitted: knows FETCHABLE_ID, records calls."""

    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, ids: list[str]) -> list[Paper]:
        self.calls.append(list(ids))
        paper = make_paper(FETCHABLE_ID, "A freshly fetched paper", "Fetched on demand.")
        return [paper] if FETCHABLE_ID in ids else []


@dataclass
class Site:
    client: TestClient
    services: WebServices
    store: SqliteStore
    clock: FixedClock
    arxiv: CannedArxiv

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token of the forms on `path` for this client's cookies."""
        match = _CSRF.search(self.client.get(path).text)
        assert match, f"no form on {path}"
        return match[1]

    def sign_up(self, username: str = "alice", password: str = PASSWORD) -> None:
        token = self.csrf("/signup")
        form = {"username": username, "password": password, "csrf_token": token}
        answer = self.client.post("/signup", data=form, follow_redirects=False)
        assert answer.status_code == 303, answer.text

    def post(self, path: str, data: dict[str, str] | None = None, **options: object):
        """POST a form with this client's CSRF token (taken from the login page)."""
        form = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(path, data=form, follow_redirects=False, **options)  # type: ignore[arg-type]


def build_services(
    tmp_path: Path, clock: FixedClock, limits: RateLimits, arxiv: CannedArxiv
) -> WebServices:
    store = SqliteStore(tmp_path / "web.db", clock)
    store.migrate()
    store.write_batch(records(), [])
    return site_services(store, clock, arxiv, limits)


def site_services(
    store: SqliteStore,
    clock: FixedClock,
    papers_by_id: FetchPapers = lambda _ids: [],
    limits: RateLimits | None = None,
    secret: bytes = SECRET,
    mailer: Mailer | None = None,
    base_url: str = Settings().base_url,
    **overrides: Any,
) -> WebServices:
    """The web tier's services as `papertide serve` builds them (wiring), over a filled store
    with its indexes beside its file: hash embeddings, submitted papers from `papers_by_id`,
    links signed with `secret`, digests sent by `mailer` (else kept by a RecordingMailer)
    with links to `base_url`; `overrides` are further settings (signup, private, ...)."""
    settings = Settings(
        db=store.path,
        secret_key=secret.decode(),
        base_url=base_url,
        mail_from="pt <d@x.org>",
        vector_refresh_s=0,  # no reloading thread: each test writes what it searches first
        **overrides,
    )
    embedder = HashEmbedder()
    refresh_indexes(settings, store, embedder, sentences=embedder)
    return build_web_services(
        settings,
        clock,
        store,
        embedder=embedder,
        mailer=mailer or RecordingMailer(),
        papers_by_id=papers_by_id,
        limits=limits or RateLimits(),
    )


@pytest.fixture
def limits() -> RateLimits:
    return RateLimits()


@pytest.fixture
def site(tmp_path: Path, limits: RateLimits) -> Iterator[Site]:
    clock, arxiv = FixedClock(NOW), CannedArxiv()
    services = build_services(tmp_path, clock, limits, arxiv)
    store = services.store
    assert isinstance(store, SqliteStore)
    with TestClient(create_app(services)) as client:
        yield Site(client, services, store, clock, arxiv)
    store.close()
