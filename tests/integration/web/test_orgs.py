"""Organisations on the site (#15 point 4): /orgs and /org/<slug> pages, their feeds (read by
feedparser), following one (page button, account page, the follows feed), and the curators'
form on the paper page (curators only, CSRF, audited), with hostile names kept inert."""

from __future__ import annotations

import re

import feedparser
import pytest

from papertide.ids import org_slug
from papertide.store.org_base import HF_ORG
from papertide.web.feeds.routes import following_feed_url
from tests.integration.web.conftest import HOSTILE_ID, PLAIN_ID, VISION_ID, Site

HOSTILE_ORG = "<script>alert('org')</script> Tom & Jerry Lab"
ACME = "/org/acme-ai"


@pytest.fixture
def orgs(site: Site) -> Site:
    """ACME AI has two papers (one hostile), the hostile-named lab one; all from HF."""
    site.store.set_paper_org(HOSTILE_ID, "acme-ai", "ACME AI", HF_ORG)
    site.store.set_paper_org(VISION_ID, "acme-ai", "ACME AI", HF_ORG)
    site.store.set_paper_org(PLAIN_ID, org_slug(HOSTILE_ORG), HOSTILE_ORG, HF_ORG)
    return site


def paper_ids(html: str) -> list[str]:
    return re.findall(r'id="paper-([^"]+)"', html)


def test_org_page_shows_name_count_papers_newest_first_and_feed_links(orgs: Site):
    page = orgs.client.get(ACME)
    assert page.status_code == 200
    assert '<h1 id="page-title">ACME AI</h1>' in page.text
    assert '<p class="meta" id="org-count">2 papers' in page.text
    assert paper_ids(page.text) == [VISION_ID, HOSTILE_ID]  # same day: the later-stored first
    assert 'href="/feeds/orgs/acme-ai.rss"' in page.text
    assert 'href="/feeds/orgs/acme-ai.atom"' in page.text
    assert "Log in to follow" in page.text


def test_orgs_index_lists_organisations_by_paper_count(orgs: Site):
    page = orgs.client.get("/orgs").text
    listed = re.findall(r'<li><a href="/org/([a-z0-9-]+)">', page)
    assert listed == ["acme-ai", org_slug(HOSTILE_ORG)]
    assert "2 papers" in page and "1 paper<" in page
    assert orgs.client.get("/orgs", params={"page": 2}).status_code == 200
    assert orgs.client.get("/orgs", params={"page": 0}).status_code == 400


def test_unknown_and_malformed_slugs_answer_a_404_page(orgs: Site):
    for path in (
        "/org/nobody",
        "/org/ACME-AI",
        "/org/acme--ai",
        "/org/%3Cscript%3E",
        "/org/" + "a" * 81,
    ):
        answer = orgs.client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
        assert "<script>" not in answer.text
    assert orgs.client.get("/feeds/orgs/nobody.rss").status_code == 404
    assert orgs.client.get("/feeds/orgs/Bad%20Slug.rss").status_code == 422


def test_hostile_org_names_are_inert_on_every_page(orgs: Site):
    slug = org_slug(HOSTILE_ORG)
    assert slug == "script-alert-org-script-tom-jerry-lab"
    escaped = "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt; Tom &amp; Jerry Lab"
    for path in (f"/org/{slug}", "/orgs", f"/papers/{PLAIN_ID}"):
        page = orgs.client.get(path).text
        assert "<script>alert('org')" not in page, path
        assert escaped in page, path


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_org_feed_reads_in_feedparser(orgs: Site, fmt: str):
    answer = orgs.client.get(f"/feeds/orgs/{org_slug(HOSTILE_ORG)}.{fmt}")
    assert answer.status_code == 200
    parsed = feedparser.parse(answer.text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == f"Papers from {HOSTILE_ORG}"
    assert [entry.link.rsplit("/", 1)[1] for entry in parsed.entries] == [PLAIN_ID]
    acme = feedparser.parse(orgs.client.get(f"/feeds/orgs/acme-ai.{fmt}").text)
    assert [entry.link.rsplit("/", 1)[1] for entry in acme.entries] == [VISION_ID, HOSTILE_ID]
    assert acme.feed.link.endswith(ACME)


def test_following_an_org_shows_on_its_page_the_account_and_the_follows_feed(orgs: Site):
    orgs.sign_up("alice")
    answer = orgs.post("/follow", {"kind": "org", "value": "acme-ai", "next": ACME})
    assert answer.status_code == 303 and answer.headers["location"] == ACME
    assert "Following ✓" in orgs.client.get(ACME).text
    account = orgs.client.get("/account").text
    assert '<a href="/org/acme-ai" class="follow-org">acme-ai</a>' in account
    user = orgs.store.user_login("alice")
    assert user is not None
    url = following_feed_url(orgs.services, user[0])
    feed = orgs.client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    entries = feedparser.parse(feed.text).entries
    assert sorted(entry.link.rsplit("/", 1)[1] for entry in entries) == sorted(
        [HOSTILE_ID, VISION_ID]
    )
    assert orgs.post("/follow", {"kind": "org", "value": "acme-ai", "on": "0"}).status_code == 303
    assert "Following ✓" not in orgs.client.get(ACME).text


def test_following_a_malformed_org_slug_is_refused(orgs: Site):
    orgs.sign_up("alice")
    assert orgs.post("/follow", {"kind": "org", "value": "<script>"}).status_code == 400
    assert orgs.store.follows_of(1) == []


def test_curator_sets_changes_and_removes_a_paper_org_and_each_is_audited(orgs: Site):
    orgs.sign_up("curator")
    paper = f"/papers/{PLAIN_ID}"
    page = orgs.client.get(paper).text
    assert 'id="org-form"' in page and '<option value="ACME AI">' in page
    assert "(from Hugging Face)" in page

    answer = orgs.post(f"{paper}/org", {"name": "  Zürich   Robotics Lab ", "next": paper})
    assert answer.status_code == 303 and answer.headers["location"] == paper
    links = orgs.store.paper_orgs(PLAIN_ID)
    assert [(link.org.slug, link.org.name, link.set_by) for link in links] == [
        ("zurich-robotics-lab", "Zürich Robotics Lab", "curator:curator")
    ]
    page = orgs.client.get(paper).text
    assert '<a href="/org/zurich-robotics-lab" class="org-link">Zürich Robotics Lab</a>' in page
    assert "(set by a curator)" in page and "from Hugging Face" not in page

    orgs.post(f"{paper}/org", {"name": "acme ai"})  # an existing organisation, by its name
    assert [link.org.name for link in orgs.store.paper_orgs(PLAIN_ID)] == ["ACME AI"]
    assert orgs.store.org_by_slug("acme-ai").papers == 3  # type: ignore[union-attr]
    orgs.post(f"{paper}/org", {"slug": "zurich-robotics-lab"})  # or by its slug
    assert orgs.post(f"{paper}/org/remove", {"slug": "zurich-robotics-lab"}).status_code == 303
    assert orgs.store.paper_orgs(PLAIN_ID) == []

    audit = [(e.action, e.target, e.detail) for e in reversed(orgs.store.audit_log(10))]
    assert audit == [
        ("set-org", f"paper:{PLAIN_ID}", f"zurich-robotics-lab (was {org_slug(HOSTILE_ORG)})"),
        ("set-org", f"paper:{PLAIN_ID}", "acme-ai (was zurich-robotics-lab)"),
        ("set-org", f"paper:{PLAIN_ID}", "zurich-robotics-lab (was acme-ai)"),
        ("unset-org", f"paper:{PLAIN_ID}", "zurich-robotics-lab"),
    ]


def test_curator_org_names_hostile_long_and_unicode(orgs: Site):
    orgs.sign_up("curator")
    paper = f"/papers/{PLAIN_ID}"
    assert orgs.post(f"{paper}/org", {"name": "x" * 201}).status_code == 400
    assert orgs.post(f"{paper}/org", {"name": "   "}).status_code == 400
    assert orgs.post(f"{paper}/org", {"slug": "no-such-org"}).status_code == 400
    assert orgs.post(f"{paper}/org", {"slug": "../admin"}).status_code == 400
    assert orgs.post("/papers/2601.77777/org", {"name": "Lab"}).status_code == 404
    assert orgs.post(f"{paper}/org", {"name": "香港科技大学"}).status_code == 303
    [link] = orgs.store.paper_orgs(PLAIN_ID)
    assert re.fullmatch(r"org-[0-9a-f]{10}", link.org.slug)
    assert "香港科技大学" in orgs.client.get(f"/org/{link.org.slug}").text
    orgs.post(f"{paper}/org", {"name": "<img src=x onerror=alert(1)> & Co"})
    page = orgs.client.get(paper).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; &amp; Co" in page


def test_the_org_form_is_for_curators_only_and_needs_csrf(orgs: Site):
    paper = f"/papers/{PLAIN_ID}"
    logged_out = orgs.post(f"{paper}/org", {"name": "Evil Corp"})
    assert logged_out.status_code == 303 and logged_out.headers["location"].startswith("/login")
    orgs.sign_up("curator")
    no_csrf = orgs.client.post(f"{paper}/org", data={"name": "Evil Corp"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    orgs.post("/logout")
    orgs.client.cookies.clear()
    orgs.sign_up("member")
    assert 'id="org-form"' not in orgs.client.get(paper).text
    assert orgs.post(f"{paper}/org", {"name": "Evil Corp"}).status_code == 403
    assert orgs.post(f"{paper}/org/remove", {"slug": org_slug(HOSTILE_ORG)}).status_code == 403
    assert [link.org.name for link in orgs.store.paper_orgs(PLAIN_ID)] == [HOSTILE_ORG]
    assert orgs.store.audit_log(10) == []


def test_api_organization_answers_its_overview_and_a_page_of_papers(orgs: Site):
    answer = orgs.client.get("/api/organizations/acme-ai", params={"limit": 1})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["name"], body["fullname"], body["numPapers"]) == ("acme-ai", "ACME AI", 2)
    assert [item["paper"]["id"] for item in body["papers"]] == [VISION_ID]
    second = orgs.client.get("/api/organizations/acme-ai", params={"limit": 1, "p": 1}).json()
    assert [item["paper"]["id"] for item in second["papers"]] == [HOSTILE_ID]
    hostile = orgs.client.get(f"/api/organizations/{org_slug(HOSTILE_ORG)}").json()
    assert hostile["fullname"] == HOSTILE_ORG  # JSON carries the text as it is
    missing = orgs.client.get("/api/organizations/nobody")
    assert missing.status_code == 404 and missing.json() == {"error": "no organisation nobody here"}
    assert orgs.client.get("/api/organizations/Not%20A%20Slug").status_code == 422
    schema = orgs.client.get("/openapi.json").json()
    operation = schema["paths"]["/api/organizations/{slug}"]["get"]
    assert operation["summary"] and operation["description"]
    assert "OrganizationPublic" in schema["components"]["schemas"]
    assert "/feeds/orgs/{slug}.{fmt}" in schema["paths"]


def test_a_get_of_the_org_form_urls_changes_nothing(orgs: Site):
    orgs.sign_up("curator")
    before = orgs.store.paper_orgs(PLAIN_ID)
    orgs.client.get(f"/papers/{PLAIN_ID}/org", params={"name": "Evil Corp"})
    orgs.client.get(f"/papers/{PLAIN_ID}/org/remove", params={"slug": org_slug(HOSTILE_ORG)})
    orgs.client.get("/follow", params={"kind": "org", "value": "acme-ai"})
    assert orgs.store.paper_orgs(PLAIN_ID) == before
    assert orgs.store.follows_of(1) == [] and orgs.store.audit_log(10) == []
