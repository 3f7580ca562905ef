"""htmx only for a signed-in viewer: it sends the vote, bookmark and rate forms, which only a
signed-in viewer sees, so a visitor's pages hold no hx- attribute and leave the script off."""

from __future__ import annotations

from tests.integration.web.conftest import HOSTILE_ID, PLAIN_ID, TODAY, Site

HTMX = "/static/vendor/htmx/htmx.min.js"
PAGES = (
    "/",
    f"/daily/{TODAY}",
    f"/papers/{PLAIN_ID}",
    f"/papers/{HOSTILE_ID}",
    "/search?q=transformers",
)


def test_a_visitor_gets_no_htmx_and_needs_none(site: Site) -> None:
    for path in PAGES:
        page = site.client.get(path)
        assert page.status_code == 200, path
        assert HTMX not in page.text and "htmx-config" not in page.text, path
        assert " hx-" not in page.text, path  # nothing on the page would use it


def test_a_signed_in_viewer_gets_htmx_for_the_forms(site: Site) -> None:
    site.sign_up()
    for path in PAGES:
        page = site.client.get(path).text
        assert page.count(HTMX) == 1 and "htmx-config" in page, path
    paper = site.client.get(f"/papers/{PLAIN_ID}").text
    assert f'hx-post="/papers/{PLAIN_ID}/vote"' in paper
