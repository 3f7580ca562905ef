"""What the admin pages read (quarantine by page and reason, this site's submissions, digest
delivery) is the same on both engines (run with -m postgres for PostgreSQL)."""

from datetime import timedelta

from papertide.models import Listing, Record, Rejected
from tests.integration.store.conftest import START
from tests.integration.store.populate import paper


def test_quarantine_pages_reasons_and_bounded_excerpts(store):
    huge = "<script>" + "x" * 10_000
    rejected = [Rejected("jsonl", f"line {n} {huge}", "missing title") for n in range(5)]
    rejected += [Rejected("csv", "a,b & c", "bad date"), Rejected("oai", "r", "bad date")]
    store.write_batch([], rejected)
    assert store.quarantine_reasons(10) == [("missing title", 5), ("bad date", 2)]
    assert store.quarantine_reasons(1) == [("missing title", 5)]
    first = store.quarantine_page(3, 0, excerpt=20)
    assert [e.source for e in first] == ["oai", "csv", "jsonl"]  # newest first
    assert first[2].raw == "line 4 <script>xxxxx" and len(first[2].raw) == 20
    rest = store.quarantine_page(3, 3, reason="missing title", excerpt=20)
    assert [e.raw[:6] for e in rest] == ["line 1", "line 0"]
    assert [e.reason for e in store.quarantine_page(10, 0, "bad date")] == ["bad date"] * 2
    assert store.quarantine_page(10, 0, "no such reason") == []


def test_recent_submissions_are_listings_by_this_sites_users(store):
    store.create_user("ada", None, "h")
    papers = [paper(n) for n in range(1, 4)]
    day = START.date()
    store.write_batch(
        [
            Record(papers[0], Listing(day, papers[0].id, 0, "ada", START)),
            Record(papers[1], Listing(day, papers[1].id, 1, "hf-person", START)),  # imported
            Record(papers[2], Listing(day, papers[2].id, 2, None, None)),
        ],
        [],
    )
    later = Listing(day + timedelta(days=1), papers[2].id, 0, "ada", START + timedelta(hours=1))
    store.add_listing(later)
    found = store.recent_submissions(10)
    assert [(listing.paper_id, listing.day) for listing, _ in found] == [
        (papers[2].id, later.day),
        (papers[0].id, day),
    ]
    assert found[0][1].title == papers[2].title and found[0][0].submitted_by == "ada"
    assert len(store.recent_submissions(1)) == 1


def test_subscription_counts_and_recent_sends(store):
    assert store.subscription_counts() == {
        "active": 0,
        "pending": 0,
        "paused": 0,
        "unsubscribed": 0,
    }
    active = store.add_subscription("a@x.org", "daily", "trending")
    store.confirm_subscription(active.id)
    store.add_subscription("p@x.org", "daily", "trending")
    gone = store.add_subscription("g@x.org", "weekly", "both")
    store.confirm_subscription(gone.id)
    store.end_subscription(gone.id)
    counts = store.subscription_counts()
    assert counts == {"active": 1, "pending": 1, "paused": 0, "unsubscribed": 1}
    assert store.claim_send(active.id, "2026-03-01", "<m1@x>", [], "[]")
    store.mark_sent(active.id, "2026-03-01")
    assert store.claim_send(active.id, "2026-03-02", "<m2@x>", [], "[]")
    store.mark_failed(active.id, "2026-03-02", "550 <no such user>", retry=False)
    sends = store.recent_sends(10)
    assert [(s.period, s.status) for s in sends] == [
        ("2026-03-02", "failed"),
        ("2026-03-01", "sent"),
    ]
    [failed] = store.recent_sends(10, failed=True)
    assert failed.error == "550 <no such user>" and failed.period == "2026-03-02"
    assert len(store.recent_sends(1)) == 1
