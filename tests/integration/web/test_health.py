"""/api/health: what a load balancer asks each worker (the 503 side, with PostgreSQL stopped,
is in tests/integration/postgres/test_web_faults.py)."""

from datetime import timedelta

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
