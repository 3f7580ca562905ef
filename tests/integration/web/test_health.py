"""/api/health: what a load balancer asks each worker (the 503 side, with PostgreSQL stopped,
is in tests/integration/postgres/test_web_faults.py)."""

from tests.integration.web.conftest import TODAY, Site


def test_health_answers_ok_with_the_newest_listing_and_is_never_cached(site: Site):
    answer = site.client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "newestListing": TODAY.isoformat()}
    assert answer.headers["cache-control"] == "no-store"
