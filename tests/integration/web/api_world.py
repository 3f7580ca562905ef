"""A small real world for the API and feed tests: a SQLite store in tmp_path with one recorded
Hugging Face day (2026-03-10), hand-made hostile papers, real search, accounts and community
services, and the app from create_app."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI

from papertide.clock import FixedClock
from papertide.community.ratelimit import RateLimits
from papertide.errors import SourceUnavailableError
from papertide.models import Link, Listing, Paper, PaperSummary, Record, User
from papertide.sources.hf_daily_parse import parse_daily_response
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from papertide.web.services import WebServices
from tests.integration.web.conftest import site_services

DATA = Path(__file__).resolve().parents[2] / "data" / "hf"
HF_DAY = date(2026, 3, 10)
TODAY = date(2026, 3, 11)
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
SECRET = b"test-secret-key-of-32-bytes-long!"
HOSTILE_TITLE = "<script>alert(1)</script> &amp; $\\alpha<\\beta$ ]]> [click](javascript:x)"
HOSTILE_ID = "2603.11111"
OLD_STYLE_ID = "hep-th/9901001"
NOT_LISTED_ID = "2603.22222"
FETCHABLE_ID = "2603.33333"
UNREACHABLE_ID = "2603.44444"  # arXiv "is down" when asked for it
OUR_SUMMARY = PaperSummary(
    HOSTILE_ID, "papertide", "We study attention & claims.", ("attention", "transformers")
)


def hf_records() -> list[Record]:
    with gzip.open(DATA / f"{HF_DAY}.json.gz") as recorded:
        data = recorded.read()
    return [r for r in parse_daily_response(data, HF_DAY, "hf") if isinstance(r, Record)]


def own_paper(paper_id: str, title: str, abstract: str, **extra: object) -> Paper:
    values: dict[str, object] = {
        "authors": ("Ada Lovelace", "Émile Borel"),
        "categories": ("cs.CL", "cs.AI"),
        "published": datetime(2026, 3, 9, 17, 0, tzinfo=UTC),
        **extra,
    }
    return Paper(paper_id, title, abstract, **values)  # type: ignore[arg-type]


def own_records() -> list[Record]:
    hostile = own_paper(
        HOSTILE_ID,
        HOSTILE_TITLE,
        "We study $\\mathcal{O}(n^2)$ attention & <b>bold</b> claims about transformers.\n"
        "A second line with \\textit{LaTeX} and a [link](https://example.org).",
        links=(Link("code", "https://github.com/example/hostile"),),
    )
    old = own_paper(
        OLD_STYLE_ID,
        "Strings on an old-style identifier",
        "An old arXiv identifier with a slash in it, about string theory and branes.",
        authors=("Edward Witten",),
        categories=("hep-th",),
        published=datetime(1999, 1, 4, tzinfo=UTC),
    )
    quiet = own_paper(
        NOT_LISTED_ID,
        "A paper never listed on a daily page",
        "Graph neural networks for wind power forecasting, never submitted anywhere.",
        categories=("cs.LG",),
    )
    listed = [
        Record(hostile, Listing(TODAY, HOSTILE_ID, 0, "mallory", NOW, upvotes=3)),
        Record(old, Listing(TODAY, OLD_STYLE_ID, 1, None, None, upvotes=1, num_comments=2)),
    ]
    return [*listed, Record(quiet)]


@dataclass
class CannedArxiv:
    """Stands in for the arXiv API in submissions: knows FETCHABLE_ID, is unreachable for
    UNREACHABLE_ID, records every call."""

    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, ids: list[str]) -> list[Paper]:
        self.calls.append(list(ids))
        if UNREACHABLE_ID in ids:
            raise SourceUnavailableError("arXiv did not answer (HTTP 503) after 4 tries")
        paper = own_paper(FETCHABLE_ID, "A freshly fetched paper", "Fetched from arXiv on demand.")
        return [paper] if FETCHABLE_ID in ids else []


@dataclass
class World:
    services: WebServices
    store: SqliteStore
    clock: FixedClock
    arxiv: CannedArxiv

    def user_with_token(self, username: str = "alice") -> tuple[User, str]:
        user = self.services.accounts.sign_up(username, "correct horse battery")
        return user, self.services.accounts.create_api_token(user, "tests")

    def session_for(self, user: User) -> str:
        return self.services.accounts.open_session(user)


def build_world(tmp_path: Path, limits: RateLimits | None = None) -> World:
    clock = FixedClock(NOW)
    store = SqliteStore(tmp_path / "t.db", clock)
    store.migrate()
    store.write_batch([*hf_records(), *own_records()], [])  # with HF's summaries and orgs
    store.put_summaries([OUR_SUMMARY])  # as `papertide index` makes (no summariser here)
    arxiv = CannedArxiv()
    services = site_services(store, clock, arxiv, limits)
    return World(services, store, clock, arxiv)


def build_app(services: WebServices) -> FastAPI:
    """The whole site, as `papertide serve` runs it (the API and feed routers come first)."""
    return create_app(services)
