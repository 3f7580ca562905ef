"""Against the real arXiv and Hugging Face services: run with `pytest -m live` on a machine
with internet. Excluded from the README test command (no internet there)."""

from datetime import date, timedelta

import pytest

from papertide.config import Settings
from papertide.models import Record
from papertide.sources.arxiv import ArxivApiSource
from papertide.sources.hf_daily import HfDailyApiSource
from papertide.sources.oai import OaiSource
from papertide.wiring import build_fetcher

pytestmark = pytest.mark.live


def test_live_arxiv_api_returns_a_known_paper():
    settings = Settings()
    source = ArxivApiSource(
        build_fetcher(settings), base_url=settings.arxiv_api_url, ids=["1706.03762"]
    )
    records = [r for r in source.records() if isinstance(r, Record)]
    assert records[0].paper.title == "Attention Is All You Need"


def test_live_oai_lists_recent_cs_records():
    settings = Settings()
    since = date.today() - timedelta(days=7)
    source = OaiSource(
        build_fetcher(settings), base_url=settings.oai_url, set_spec="cs", date_from=since
    )
    first = next(r for r in source.records() if isinstance(r, Record))
    assert first.paper.title


def test_live_hf_daily_papers_has_a_recent_day():
    settings = Settings()
    days = [date.today() - timedelta(days=n) for n in range(1, 4)]
    source = HfDailyApiSource(
        build_fetcher(settings, min_interval_s=1.0), base_url=settings.hf_daily_url, days=days
    )
    assert any(isinstance(r, Record) and r.listing for r in source.records())
