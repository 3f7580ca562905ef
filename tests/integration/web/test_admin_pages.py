"""The curators' admin pages through the site: moderation (reported and deleted comments,
unlisted papers, submissions), quarantine, invites and digest/sync status. Every destructive
step shows the shared confirmation page first and answers with Undo where it can be undone;
every step lands in the audit log; hostile text (titles, comments, raw records with <script>,
LaTeX and &) is shown escaped."""

from __future__ import annotations

import re
from datetime import timedelta

from papertide.models import Rejected
from papertide.store.sync_base import OK
from tests.integration.web.conftest import (
    HOSTILE_ID,
    PASSWORD,
    PLAIN_ID,
    TODAY,
    Site,
)

HOSTILE_COMMENT = "<script>alert('c')</script> Tom & Jerry say $\\alpha < \\beta$"
HOSTILE_RAW = '{"title": "<script>alert(1)</script>", "abstract": "$x^2$ & <b>bold</b>"}'


def log_in(site: Site, username: str) -> None:
    site.post("/logout")
    site.client.cookies.clear()
    form = {"login": username, "password": PASSWORD, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=form, follow_redirects=False).status_code == 303


def curator_member_and_report(site: Site) -> int:
    """curator (first account), a member's hostile comment on PLAIN_ID reported by a second
    member; the client ends logged in as the curator. The comment's id."""
    site.sign_up("curator")
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("mallory")
    site.post(f"/papers/{PLAIN_ID}/comments", {"body": HOSTILE_COMMENT})
    [comment] = site.store.comments_for(PLAIN_ID)
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("reporter")
    site.post(f"/comments/{comment.id}/report", {"reason": "spam <b>&</b>"})
    log_in(site, "curator")
    return comment.id


def form_fields(html: str, action: str) -> dict[str, str]:
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S
    )
    assert form is not None, action
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form[1]))


def assert_inert(html: str) -> None:
    """No script or tag from user text got through as markup."""
    assert "<script>alert" not in html and "<b>" not in html


def test_moderation_shows_reports_and_a_curator_deletes_then_undoes(site: Site):
    comment_id = curator_member_and_report(site)
    page = site.client.get("/admin/moderation")
    assert page.status_code == 200
    assert_inert(page.text)
    reported = page.text.split('id="reported-title"', 1)[1].split('id="deleted-title"', 1)[0]
    assert "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt; Tom &amp; Jerry" in reported
    assert "reported by <strong>reporter</strong>" in reported and "spam &lt;b&gt;&amp;" in reported
    delete = f"/comments/{comment_id}/delete"
    fields = form_fields(page.text, delete)
    assert fields["next"] == "/admin/moderation"

    asked = site.client.post(delete, data=fields, follow_redirects=False)
    assert asked.status_code == 200 and 'id="confirm"' in asked.text
    assert_inert(asked.text)
    assert "Tom &amp; Jerry" in asked.text and site.store.comment_by_id(comment_id) is not None

    done = site.client.post(delete, data=form_fields(asked.text, delete), follow_redirects=False)
    assert done.status_code == 200 and "Deleted the comment by mallory" in done.text
    assert site.store.comment_by_id(comment_id) is None
    assert site.store.comments_for(PLAIN_ID) == []
    after = site.client.get("/admin/moderation").text
    assert f'id="reported-{comment_id}"' not in after and f'id="deleted-{comment_id}"' in after
    assert_inert(after)

    restore = f"/admin/comments/{comment_id}/restore"
    undone = site.client.post(restore, data=form_fields(done.text, restore), follow_redirects=False)
    assert undone.status_code == 303 and undone.headers["location"] == "/admin/moderation"
    assert site.store.comment_by_id(comment_id) is not None
    audit = [(e.actor, e.action, e.target) for e in site.store.audit_log(10)]
    target = f"comment:{comment_id}"
    assert audit == [("curator", "restore-comment", target), ("curator", "delete-comment", target)]


def test_the_paper_pages_delete_button_asks_and_offers_undo_back_to_the_paper(site: Site):
    comment_id = curator_member_and_report(site)
    paper = site.client.get(f"/papers/{PLAIN_ID}").text
    delete = f"/comments/{comment_id}/delete"
    asked = site.client.post(delete, data=form_fields(paper, delete), follow_redirects=False)
    assert f'href="/papers/{PLAIN_ID}#comments" id="cancel"' in asked.text
    done = site.client.post(delete, data=form_fields(asked.text, delete), follow_redirects=False)
    assert (
        'id="undo"' in done.text
        and f'href="/papers/{PLAIN_ID}#comments" id="done-back"' in done.text
    )
    restore = f"/admin/comments/{comment_id}/restore"
    undone = site.client.post(restore, data=form_fields(done.text, restore), follow_redirects=False)
    assert undone.headers["location"] == f"/papers/{PLAIN_ID}#comments"
    assert [c.id for c in site.store.comments_for(PLAIN_ID)] == [comment_id]


def test_submissions_unlist_after_confirming_and_relist_from_the_undo(site: Site):
    site.sign_up("curator")
    site.post("/logout")
    site.client.cookies.clear()
    site.sign_up("mallory")  # HOSTILE_ID's listing says mallory submitted it
    log_in(site, "curator")
    page = site.client.get("/admin/moderation").text
    submissions = page.split('id="submissions-title"', 1)[1]
    assert f'id="submission-{HOSTILE_ID}-{TODAY.isoformat()}"' in submissions
    assert f'id="submission-{PLAIN_ID}' not in submissions  # not submitted by a user here
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Tom &amp;amp; Jerry" in submissions
    assert_inert(page)

    unlist = f"/papers/{HOSTILE_ID}/unlist"
    asked = site.client.post(unlist, data=form_fields(page, unlist), follow_redirects=False)
    assert 'id="confirm"' in asked.text and "&lt;script&gt;alert(&#39;title&#39;)" in asked.text
    assert_inert(asked.text)
    done = site.client.post(unlist, data=form_fields(asked.text, unlist), follow_redirects=False)
    assert "Took 2601.00001 off the page" in done.text
    assert HOSTILE_ID not in [p.id for _, p in site.store.listings_for(TODAY)]
    page = site.client.get("/admin/moderation").text
    [entry] = site.store.audit_log(1, "unlist")
    assert f'id="unlisted-{entry.id}"' in page and f'id="submission-{HOSTILE_ID}' not in page

    relist = f"/admin/unlisted/{entry.id}/relist"
    again = site.client.post(relist, data=form_fields(done.text, relist), follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/admin/moderation"
    [(listing, _)] = [(x, p) for x, p in site.store.listings_for(TODAY) if p.id == HOSTILE_ID]
    assert listing.submitted_by == "mallory" and listing.upvotes == 5  # as it was
    assert f'id="unlisted-{entry.id}"' not in site.client.get("/admin/moderation").text
    twice = site.client.post(relist, data=form_fields(done.text, relist), follow_redirects=False)
    assert twice.status_code == 303  # a second Undo changes nothing
    assert [e.action for e in site.store.audit_log(10)] == ["relist", "unlist"]


def test_undo_and_revoke_routes_refuse_members(site: Site):
    comment_id = curator_member_and_report(site)
    site.services.admin.delete_comment(None, comment_id)
    entry = site.services.admin.unlist(None, TODAY, PLAIN_ID)
    assert entry is not None
    invite, _token = site.services.admin.create_invite(None)
    log_in(site, "reporter")
    for path in (
        f"/admin/comments/{comment_id}/restore",
        f"/admin/unlisted/{entry.id}/relist",
        f"/admin/invites/{invite.id}/revoke",
    ):
        assert site.post(path, {"confirm": "yes"}).status_code == 403, path
    assert site.store.comment_by_id(comment_id) is None
    assert PLAIN_ID not in [p.id for _, p in site.store.listings_for(TODAY)]
    assert site.services.admin.invites()[0].revoked_at is None


def test_quarantine_pages_counts_per_reason_and_escapes_raw_records(site: Site):
    rejected = [Rejected("jsonl", f"{HOSTILE_RAW} #{n}", "missing <id> & date") for n in range(60)]
    rejected.append(Rejected("csv", "x" * 50_000, "too long"))
    site.store.write_batch([], rejected)
    site.sign_up("curator")
    page = site.client.get("/admin/quarantine").text
    assert_inert(page)
    reasons = page.split('id="quarantine-reasons"', 1)[1].split("</table>", 1)[0]
    assert "missing &lt;id&gt; &amp; date</a></td><td>60<" in reasons
    assert "too long</a></td><td>1<" in reasons
    rows = re.findall(r'<tr id="quarantine-(\d+)">', page)
    assert len(rows) == 50 and 'rel="next"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "$x^2$ &amp; &lt;b&gt;" in page
    assert "x" * 2000 in page and "x" * 2001 not in page  # a bounded excerpt
    second = site.client.get("/admin/quarantine?p=1").text
    assert len(re.findall(r'<tr id="quarantine-(\d+)">', second)) == 11
    only = site.client.get("/admin/quarantine", params={"reason": "too long"}).text
    assert len(re.findall(r'<tr id="quarantine-(\d+)">', only)) == 1 and 'id="all-reasons"' in only
    assert site.client.get("/admin/quarantine?p=-1").status_code == 400


def test_invites_are_made_listed_with_their_state_and_revoked_after_confirming(site: Site):
    site.sign_up("curator")
    made = site.post("/admin/invites", {"uses": "2", "days": "3"})
    assert made.status_code == 200
    link = re.search(r'<code id="invite-link" class="invite-link">([^<]+)</code>', made.text)
    assert link is not None and "/signup?invite=" in link[1]
    assert link[1] not in site.client.get("/admin/invites").text  # shown once
    [invite] = site.services.admin.invites()
    assert (invite.max_uses, invite.expires_at) == (2, site.clock.now() + timedelta(days=3))
    row = f'id="invite-{invite.id}"'
    assert re.search(rf'{row}>.*?<td class="state">open<', site.client.get("/admin/invites").text)

    revoke = f"/admin/invites/{invite.id}/revoke"
    asked = site.post(revoke)
    assert 'id="confirm"' in asked.text and site.services.admin.invites()[0].revoked_at is None
    done = site.post(revoke, {"confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/admin/invites"
    page = site.client.get("/admin/invites").text
    assert re.search(rf'{row}>.*?<td class="state">revoked<', page)
    assert f'id="revoke-{invite.id}"' not in page

    short, _token = site.services.admin.create_invite(None, 1, 1)
    site.clock.current += timedelta(days=2)
    assert re.search(
        rf'id="invite-{short.id}">.*?<td class="state">expired<',
        site.client.get("/admin/invites").text,
    )
    assert site.post("/admin/invites", {"uses": "0", "days": "3"}).status_code == 400
    actions = [e.action for e in site.store.audit_log(10)]
    assert actions == ["invite", "revoke-invite", "invite"]


def test_status_shows_digest_subscriptions_sends_and_sync_runs(site: Site):
    store = site.store
    active = store.add_subscription("a@x.org", "daily", "trending")
    store.confirm_subscription(active.id)
    store.add_subscription("p@x.org", "daily", "trending")
    assert store.claim_send(active.id, "2026-01-14", "<m@x>", [], "[]")
    store.mark_failed(active.id, "2026-01-14", "550 <mailbox> & gone", retry=False)
    run = store.start_sync_run(site.clock.now())
    store.finish_sync_run(run, site.clock.now(), OK, {"arxiv": {"new": 7}}, None)
    site.sign_up("curator")
    page = site.client.get("/admin/status").text
    assert_inert(page)
    assert re.search(r'id="subscriptions-active"><td>[^<]+</td><td>1<', page)
    assert re.search(r'id="subscriptions-pending"><td>[^<]+</td><td>1<', page)
    failures = page.split('id="failures"', 1)[1].split("</table>", 1)[0]
    assert "550 &lt;mailbox&gt; &amp; gone" in failures and "2026-01-14" in failures
    assert 'id="no-mail"' in page and 'id="no-sync"' in page
    assert 'id="last-sync">2026-01-15T12:00:00+00:00<' in page and "7 new" in page
    for section in ("users", "moderation", "quarantine", "invites", "status", "audit"):
        assert f'id="admin-nav-{section}"' in page
