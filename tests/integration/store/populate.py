"""Fill a store with a row in every table, through the Store API only (so the same data can be
written to either engine): papers with every field, listings, quarantine, checkpoints, line
fingerprints, embeddings, and a small community."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from papertide.models import Follow, Link, Listing, Paper, PaperSummary, Record, Rejected, Version
from papertide.store.base import Store
from papertide.store.vectors_base import EmbeddingRow, SentenceRow

T0 = datetime(2026, 3, 1, 12, 30, 15, 250_000, tzinfo=UTC)
DAY = date(2026, 3, 2)


def paper(n: int) -> Paper:
    """A paper with every field set, and text no ASCII-only store would keep."""
    return Paper(
        id=f"2603.{n:05d}",
        title=f"Über-fast attention {n} 🚀",
        abstract=f"Ça marche: 注意力 is all you need, study {n} of sparse attention.",
        authors=("Zoë Ångström", f"Author {n}"),
        categories=("cs.CL", "cs.LG") if n % 2 else ("cs.CV",),
        version=2,
        versions=(Version(1, T0, "12kb"), Version(2, T0 + timedelta(days=3), None)),
        comment="10 pages" if n % 3 else None,
        doi=f"10.1000/{n}",
        published=T0 - timedelta(days=n % 40),
        updated=T0,
        links=(Link("code", f"https://github.com/a/p{n}"),),
    )


def fill_store(store: Store, papers: int = 30) -> None:
    """Write `papers` papers (listed over a few days) and a row in every other table."""
    records = [
        Record(paper(n), Listing(DAY + timedelta(days=n % 3), f"2603.{n:05d}", n, upvotes=n))
        for n in range(1, papers + 1)
    ]
    rejected = [Rejected("jsonl:x", "not json\x00", "bad line"), Rejected("oai", "<x/>", "no id")]
    store.write_batch(records, rejected, checkpoint=("oai:cs", "token-1"), fingerprints=[1, -7])
    tasks = store.embed_tasks("m")
    rng = np.random.default_rng(3)
    store.save_embeddings(
        "m",
        [
            EmbeddingRow(t.paper_pk, t.content_hash, "t", rng.random(8).astype("<f2").tobytes())
            for t in tasks
        ],
    )
    store.save_sentence_vectors(
        "m",
        [
            SentenceRow(t.paper_pk, t.content_hash, "bmr", rng.random(24).astype("<f2").tobytes())
            for t in tasks
        ],
    )
    fill_community(store)
    fill_sync_runs(store)
    fill_extras(store)
    fill_claims(store)
    fill_reply_emails(store)


def fill_extras(store: Store) -> None:
    """Summaries from both sources, an organisation and media for the first paper."""
    store.put_summaries(
        [
            PaperSummary("2603.00001", "huggingface", "Fast 注意力.", ("attention", "Über")),
            PaperSummary("2603.00001", "papertide", None, ("sparse",), "hash-1"),
        ]
    )
    store.set_paper_org("2603.00001", "deep-lab", "Deep Lab 🚀", "huggingface")
    store.put_media("2603.00001", ["https://example.org/a.mp4", "https://example.org/b.png"])


def fill_claims(store: Store) -> None:
    """A confirmed email, a domain rule, a claim it approved and a pending claim."""
    ada, bob = (store.user_login(name) for name in ("Ada", "bob"))
    assert ada is not None and bob is not None
    store.confirm_email(ada[0].id, "ada@example.org")
    store.add_claim_rule("example.org", "Ada")
    store.add_claim(ada[0].id, "2603.00001", "Zoë Ångström", "rule:example.org")
    store.add_claim(bob[0].id, "2603.00001", "Author 1", None)


def fill_reply_emails(store: Store) -> None:
    """Ada gets reply emails, and the reply to her comment was emailed."""
    ada = store.user_login("Ada")
    assert ada is not None
    store.set_reply_emails(ada[0].id, True)
    (note,) = store.notifications(ada[0].id, 10)
    assert store.claim_reply_email(ada[0].id, [note.id], "<replies.1@papertide>")
    store.finish_reply_email("<replies.1@papertide>", "sent")


def fill_sync_runs(store: Store) -> None:
    """A successful sync run with per-source counts and a failed one."""
    ok = store.start_sync_run(T0)
    log = {"new": 3, "updated": 0, "unchanged": 1, "quarantined": 0, "failed": 0, "error": None}
    store.finish_sync_run(ok, T0 + timedelta(minutes=2), "ok", {"arxiv-oai:cs": log}, None)
    failed = store.start_sync_run(T0 + timedelta(days=1))
    store.finish_sync_run(failed, T0 + timedelta(days=1), "failed", {}, "arxiv-oai:cs: down")


def fill_community(store: Store) -> None:
    """Users and everything they own: sessions, a token, votes, comments (a reply, edited, a
    report and a notification), collections, follows, rate-limit events, a rotated feed key,
    an invite, an audit entry, subscriptions, digests and ratings."""
    ada = store.create_user("Ada", "ada@example.org", "hash-a")
    bob = store.create_user("bob", None, "hash-b")
    store.save_session("session-a", ada.id, T0 + timedelta(days=30))
    store.save_api_token("token-b", bob.id, "laptop")
    for user in (ada, bob):
        store.set_vote(user.id, "2603.00001", True)
    store.set_vote(bob.id, "2603.00002", True)
    store.add_comment(ada.id, "2603.00001", "Nice **result**")
    store.delete_comment(store.add_comment(bob.id, "2603.00001", "spam").id)
    top = store.add_comment(ada.id, "2603.00002", "Why $O(n)$?")
    reply = store.add_reply(bob.id, top.id, "See section 3")  # notifies Ada
    assert reply is not None and store.edit_comment(
        reply.id, bob.id, "See section 4", reply.created_at
    )
    store.report_comment(top.id, bob.id, "off topic")
    store.add_to_collection(ada.id, "Reading list", "2603.00002")
    store.add_to_collection(ada.id, "Theory", "2603.00003")
    store.set_follow(ada.id, Follow("author", "Zoë Ångström"), True)
    store.set_follow(ada.id, Follow("category", "cs.LG"), True)
    store.record_write("user:1", "vote", 60, 60)
    assert store.api_token_user("token-b") == bob  # records the token's use
    store.rotate_feed_key(ada.id)
    store.create_invite("invite-hash", ada.id, T0 + timedelta(days=7), 3)
    store.add_audit("Ada", "unlist", "paper:2603.00003", "duplicate")
    fill_digests(store, ada.id)


def fill_digests(store: Store, user_id: int) -> None:
    """Two subscriptions (one of a user, one without account), a sent and a failed digest,
    and ratings of each kind."""
    mine = store.add_subscription("ada@example.org", "daily", "both", user_id=user_id)
    store.confirm_subscription(mine.id)
    store.claim_send(mine.id, "2026-03-02", "<m1@papertide>", ["2603.00001"], '{"items": []}')
    store.mark_sent(mine.id, "2026-03-02")
    anonymous = store.add_subscription("reader@example.org", "weekly", "trending")
    store.claim_send(anonymous.id, "2026-W10", "<m2@papertide>", ["2603.00002"], "[]")
    store.mark_failed(anonymous.id, "2026-W10", "timed out", retry=True)
    store.set_rating("2603.00001", 1, "web", user_id=user_id)
    store.set_rating("2603.00002", -1, "email", subscription_id=anonymous.id)
