"""/api/health: what a load balancer asks each worker (the 503 side, with PostgreSQL stopped,
is in tests/integration/postgres/test_web_faults.py)."""

from datetime import timedelta

import pytest

from papertide.store.base import StoreWatermark
from papertide.store.sync_base import FAILED, OK
from tests.integration.web.conftest import TODAY, Site


def test_health_answers_ok_with_the_newest_listing_and_is_never_cached(site: Site):
    answer = site.client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "newestListing": TODAY.isoformat(), "lastSync": None}
    assert answer.headers["cache-control"] == "no-store"


def test_health_and_every_page_say_when_the_data_last_changed(site: Site):
    started = site.clock.now() - timedelta(hours=2)
    run = site.store.start_sync_run(started)
    site.store.finish_sync_run(run, started + timedelta(minutes=3), OK, {}, None)
    failed = site.store.start_sync_run(started + timedelta(hours=1))
    site.store.finish_sync_run(failed, started + timedelta(hours=1), FAILED, {}, "x: down")

    answer = site.client.get("/api/health").json()

    ended = started + timedelta(minutes=3)
    assert answer["lastSync"] == ended.isoformat().replace("+00:00", "Z")
    for page in ("/", "/about", "/search?q=x", "/login"):
        html = site.client.get(page).text
        assert f'<p id="footer-updated">updated {ended:%Y-%m-%d %H:%M} UTC</p>' in html, page


def test_without_a_sync_the_footer_reads_the_newest_change_once_for_many_pages(
    site: Site, monkeypatch: pytest.MonkeyPatch
):
    """The newest paper change scans the papers table (100 ms for the demo on a busy machine,
    which made the uncached daily page cost 37 ms of CPU): it is read once per UPDATED_MAX_AGE_S."""
    calls = []
    real = site.store.lexical_watermark

    def counted() -> StoreWatermark:
        calls.append(1)
        return real()

    monkeypatch.setattr(site.store, "lexical_watermark", counted)
    pages = [site.client.get(path).text for path in ("/", "/trending", "/", "/about")]
    assert all('<p id="footer-updated">updated ' in html for html in pages)
    assert len(calls) == 1
