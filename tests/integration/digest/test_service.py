"""DigestService over a real SQLite store, with a RecordingMailer."""

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from papertide.clock import FixedClock
from papertide.digest.compose import Ranked
from papertide.digest.send import (
    PERMANENT,
    TEMPORARY,
    MailServerError,
    OutgoingEmail,
    RecordingMailer,
    SendResult,
)
from papertide.digest.service import DigestService, PeriodRanker, SendReport
from papertide.digest.tokens import DigestTokens, TokenError
from papertide.errors import ConflictError, InputError, RateLimitError
from papertide.models import Paper
from papertide.store.digest_base import Rating, Subscription
from papertide.store.sqlite import SqliteStore
from tests.integration.digest.conftest import (
    BASE_URL,
    MONDAY,
    SECRET,
    SENDER,
    list_papers,
    paper_id,
    subscribed,
)


def link(email: OutgoingEmail, purpose: str) -> str:
    found = re.search(rf"/digest/{purpose}\?token=([\w.-]+)", email.text)
    assert found, f"no {purpose} link in {email.subject!r}"
    return found[1]


def ids_in(email: OutgoingEmail) -> list[str]:
    return re.findall(r"/papers/(\d{4}\.\d{5})", email.text)


def test_subscribe_sends_a_confirmation_that_confirms(
    digests: DigestService, mailer: RecordingMailer
):
    sub = digests.subscribe(" Ada@Example.org ", "weekly", "trending")
    assert (sub.email, sub.state) == ("Ada@Example.org", "pending")
    (confirmation,) = mailer.sent
    assert confirmation.to == "Ada@Example.org"
    assert confirmation.subject == "Confirm your papertide digest subscription"
    confirmed = digests.confirm(link(confirmation, "confirm"))
    assert (confirmed.state, confirmed.cadence, confirmed.content) == (
        "active",
        "weekly",
        "trending",
    )


def test_subscribe_again_reminds_an_active_subscriber(
    digests: DigestService, mailer: RecordingMailer
):
    sub = subscribed(digests, "ada@example.org")
    again = digests.subscribe("ada@example.org", "weekly", "personal")
    assert again == sub  # preferences change only through the signed link
    (reminder,) = mailer.sent
    assert "already receives" in reminder.text
    assert digests.update_preferences(
        link(reminder, "preferences"), "weekly", "personal"
    ).cadence == ("weekly")


def test_subscribe_limits_confirmation_emails_per_address(
    digests: DigestService, mailer: RecordingMailer
):
    for _ in range(3):
        digests.subscribe("ada@example.org")
    with pytest.raises(RateLimitError):
        digests.subscribe("ADA@example.org")
    assert len(mailer.sent) == 3


def test_subscribe_checks_its_input(digests: DigestService):
    with pytest.raises(InputError, match="not an email address"):
        digests.subscribe("not-an-address")
    with pytest.raises(InputError, match="cadence"):
        digests.subscribe("ada@example.org", cadence="hourly")
    with pytest.raises(InputError, match="content"):
        digests.subscribe("ada@example.org", content="everything")


def test_subscribe_reports_a_refused_address(digests: DigestService, mailer: RecordingMailer):
    mailer.answers = {"gone@example.org": SendResult(PERMANENT, 550, "550 no such user")}
    with pytest.raises(InputError, match=r"cannot send to gone@example\.org"):
        digests.subscribe("gone@example.org")
    mailer.answers = {"slow@example.org": SendResult(TEMPORARY, 451, "451 later")}
    with pytest.raises(MailServerError):
        digests.subscribe("slow@example.org")


def test_unsubscribe_link_ends_the_subscription(digests: DigestService, mailer: RecordingMailer):
    subscribed(digests, "ada@example.org")
    digests.send_due()
    (digest,) = mailer.sent
    ended = digests.unsubscribe(link(digest, "unsubscribe"))
    assert ended.state == "unsubscribed"
    assert digests.unsubscribe(link(digest, "preferences")).state == "unsubscribed"
    with pytest.raises(TokenError):
        digests.unsubscribe(link(digest, "feedback"))


def test_links_of_a_deleted_subscription_fail_cleanly(digests: DigestService):
    token = digests.tokens.make("confirm", 4242)
    with pytest.raises(TokenError, match="no longer exists"):
        digests.confirm(token)


def test_feedback_link_records_a_rating_for_the_subscriber(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    sub = subscribed(digests, "ada@example.org")
    digests.send_due()
    token = link(mailer.sent[0], "feedback")
    claims = digests.feedback_claims(token)
    assert store.ratings_of(subscription_id=sub.id) == []
    assert digests.feedback(token) == claims
    (rating,) = store.ratings_of(subscription_id=sub.id)
    assert (rating.paper_id, rating.value, rating.source) == (claims.paper_id, 1, "email")


def test_feedback_of_an_account_subscription_trains_the_user(
    digests: DigestService, store: SqliteStore
):
    user = store.create_user("ada", "ada@example.org", "hash")
    sub = digests.subscribe("ada@example.org", user_id=user.id, confirmed=True)
    token = digests.tokens.make("feedback", sub.id, paper_id(3), -1)
    digests.feedback(token)
    assert [(r.paper_id, r.value) for r in store.ratings_of(user_id=user.id)] == [(paper_id(3), -1)]


def test_send_due_sends_each_subscriber_the_period_once(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(3)]
    report = digests.send_due()
    assert report == SendReport(sent=3)
    assert sorted(m.to for m in mailer.sent) == [s.email for s in subs]
    first = mailer.sent[0]
    assert ids_in(first)[:3] == [paper_id(15), paper_id(14), paper_id(13)]
    assert len(ids_in(first)) == 10
    assert dict(first.headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.message_id == store.sends_of(subs[0].id)[0].message_id
    assert digests.send_due() == SendReport()
    assert len(mailer.sent) == 3


def test_send_due_never_sends_a_paper_twice(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore, clock: FixedClock
):
    subscribed(digests, "ada@example.org")
    digests.send_due()
    list_papers(store, MONDAY + timedelta(days=1), range(11, 21))  # 11..15 listed again
    clock.current += timedelta(days=1)
    digests.send_due()
    tuesday, wednesday = (ids_in(m) for m in mailer.sent)
    assert set(tuesday) == {paper_id(n) for n in range(6, 16)}
    assert wednesday == [paper_id(n) for n in range(20, 15, -1)]


def test_send_due_skips_empty_periods_and_weekends(
    digests: DigestService, mailer: RecordingMailer, clock: FixedClock
):
    subscribed(digests, "weekly@example.org", cadence="weekly")  # W02 covers no listings
    assert digests.send_due() == SendReport(empty=1)
    clock.current += timedelta(days=4)  # Saturday: no daily period, weekly still empty
    subscribed(digests, "daily@example.org")
    assert digests.send_due() == SendReport(empty=1)
    assert mailer.sent == []


def test_send_due_defers_temporary_failures_to_the_next_run(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    sub = subscribed(digests, "ada@example.org")
    mailer.answers = {"ada@example.org": SendResult(TEMPORARY, 451, "451 try later")}
    assert digests.send_due() == SendReport(deferred=1)
    mailer.answers = {}
    assert digests.send_due() == SendReport(resent=1)
    (row,) = store.sends_of(sub.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert [m.message_id for m in mailer.attempts] == [row.message_id] * 2


def test_send_due_pauses_after_three_bounces(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore, clock: FixedClock
):
    sub = subscribed(digests, "gone@example.org")
    mailer.answers = {"gone@example.org": SendResult(PERMANENT, 550, "550 5.1.1 no such user")}
    reports = []
    for day in range(3):
        list_papers(store, MONDAY + timedelta(days=day), range(100 + 10 * day, 105 + 10 * day))
        reports.append(digests.send_due())
        clock.current += timedelta(days=1)
    assert reports == [SendReport(failed=1), SendReport(failed=1), SendReport(failed=1, paused=1)]
    paused = store.subscription(sub.id)
    assert paused is not None and (paused.state, paused.bounces) == ("paused", 3)
    assert paused.last_error == "550 5.1.1 no such user"
    list_papers(store, MONDAY + timedelta(days=3), range(200, 205))
    assert digests.send_due() == SendReport()
    assert len(mailer.attempts) == 3


def test_send_due_resends_a_claim_its_run_never_finished(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    """A run killed after the claim (maybe after the server took the message) leaves a
    claimed row: the next run sends that very digest again, with the same Message-ID."""
    sub = subscribed(digests, "ada@example.org")

    def crash(_email: OutgoingEmail) -> SendResult:
        raise KeyboardInterrupt  # the process dies before marking the row sent

    mailer.decide = crash
    with pytest.raises(KeyboardInterrupt):
        digests.send_due()
    (claimed,) = store.sends_of(sub.id)
    assert claimed.status == "claimed"
    mailer.decide = None
    assert digests.send_due() == SendReport(resent=1)
    (again,) = mailer.sent
    assert again.message_id == claimed.message_id
    assert tuple(ids_in(again)) == claimed.paper_ids
    assert store.sends_of(sub.id)[0].status == "sent"


def test_send_due_does_not_resend_to_someone_who_left(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    sub = subscribed(digests, "ada@example.org")
    store.claim_send(sub.id, "2026-01-06", "<left@example.org>", [paper_id(1)], "{}")
    store.end_subscription(sub.id)
    assert digests.send_due() == SendReport()
    assert store.sends_of(sub.id)[0].status == "failed"
    assert mailer.attempts == []


def test_send_due_stops_when_the_mail_server_is_down(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(3)]

    def down(_email: OutgoingEmail) -> SendResult:
        raise MailServerError("cannot reach the mail server")

    mailer.decide = down
    with pytest.raises(MailServerError):
        digests.send_due()
    assert store.sends_of(subs[0].id)[0].retry
    assert store.sends_of(subs[1].id) == []
    assert mailer.closed
    mailer.decide = None
    assert digests.send_due() == SendReport(sent=2, resent=1)


def test_send_due_dry_run_claims_and_sends_nothing(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(3)]
    assert digests.send_due(dry_run=True) == SendReport(would_send=3)
    assert mailer.attempts == [] and all(store.sends_of(s.id) == [] for s in subs)


def test_send_due_shards_cover_every_subscriber_once(
    digests: DigestService, mailer: RecordingMailer
):
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(7)]
    reports = [digests.send_due(shard=(i, 3)) for i in range(3)]
    assert sum(r.sent for r in reports) == 7
    assert sorted(m.to for m in mailer.sent) == sorted(s.email for s in subs)
    with pytest.raises(InputError, match="shard"):
        digests.send_due(shard=(3, 3))


def test_send_due_refuses_a_shard_already_being_sent(digests: DigestService, store: SqliteStore):
    with store.digest_lock((0, 1)), pytest.raises(ConflictError, match="running"):
        digests.send_due()


def test_preview_renders_without_recording(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore, clock: FixedClock
):
    sub = subscribed(digests, "ada@example.org")
    digest, rendered = digests.preview("ada@example.org")
    assert len(digest.entries) == 10 and rendered.subject.startswith("papertide: 10 trending")
    assert store.sends_of(sub.id) == [] and mailer.attempts == []
    clock.current += timedelta(days=4)  # Saturday: previews Friday's period
    assert digests.preview("ada@example.org")[0].period.key == "2026-01-09"
    with pytest.raises(InputError, match="no subscription"):
        digests.preview("nobody@example.org")


@dataclass
class ReversedRanker:
    """A stand-in personal model: ranks a period's papers by id, lowest first, for anyone who
    rated something; cold start (None) otherwise. Records the ratings it was given."""

    seen: list[tuple[int, list[Rating]]] = field(default_factory=list)

    def for_period(self, candidates: Sequence[Paper]) -> PeriodRanker:
        ids = sorted(paper.id for paper in candidates)
        ranker = self

        class Period:
            def rank(
                self,
                sub: Subscription,
                ratings: Sequence[Rating],
                exclude: Collection[str],
                limit: int,
            ) -> list[Ranked] | None:
                ranker.seen.append((sub.id, list(ratings)))
                if not ratings:
                    return None
                kept = [pid for pid in ids if pid not in exclude][:limit]
                return [Ranked(pid, 1.0, ("you liked similar",)) for pid in kept]

        return Period()


def test_send_due_mixes_personal_and_trending_for_both(
    store: SqliteStore, clock: FixedClock, mailer: RecordingMailer
):
    model = ReversedRanker()
    digests = DigestService(
        store, clock, mailer, DigestTokens(SECRET, clock), BASE_URL, SENDER, personal=model
    )
    fan = subscribed(digests, "fan@example.org", content="both")
    cold = subscribed(digests, "cold@example.org", content="personal")
    subscribed(digests, "trend@example.org", content="trending")
    store.set_rating(paper_id(1), 1, "email", subscription_id=fan.id)
    digests.send_due()
    by_to = {m.to: m for m in mailer.sent}
    fan_ids = ids_in(by_to["fan@example.org"])
    assert fan_ids[:5] == [paper_id(n) for n in range(1, 6)]
    assert fan_ids[5:] == [paper_id(n) for n in range(15, 10, -1)]
    assert "FOR YOU" in by_to["fan@example.org"].text
    assert "FOR YOU" not in by_to["cold@example.org"].text
    assert "rate a few" in by_to["cold@example.org"].text
    assert sorted(sid for sid, _ in model.seen) == [fan.id, cold.id]
    assert [len(r) for sid, r in sorted(model.seen)] == [1, 0]


def test_send_due_weekly_period_uses_last_week(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    list_papers(store, date(2026, 1, 1), range(300, 303))
    subscribed(digests, "weekly@example.org", cadence="weekly")
    assert digests.send_due() == SendReport(sent=1)
    assert set(ids_in(mailer.sent[0])) == {paper_id(n) for n in range(300, 303)}


def test_send_due_killed_after_the_server_took_a_message_resends_the_same_message_id(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    """The one ambiguous moment: the server accepted, the process died before logging it. The
    re-send is the at-least-once side of the trade-off, and carries the same Message-ID, so
    receivers that de-duplicate by Message-ID (RFC 5322 3.6.4) show it once."""
    sub = subscribed(digests, "ada@example.org")

    def accept_then_die(email: OutgoingEmail) -> SendResult:
        mailer.sent.append(email)
        raise KeyboardInterrupt

    mailer.decide = accept_then_die
    with pytest.raises(KeyboardInterrupt):
        digests.send_due()
    mailer.decide = None
    assert digests.send_due() == SendReport(resent=1)
    first, second = mailer.to("ada@example.org")
    assert first.message_id == second.message_id == store.sends_of(sub.id)[0].message_id


def test_send_due_sends_on_several_threads_when_the_mailer_can(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    mailer.concurrency = 3
    mailer.answers = {"u4@example.org": SendResult(PERMANENT, 550, "550 no such user")}
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(20)]
    assert digests.send_due() == SendReport(sent=19, failed=1)
    assert sorted(m.to for m in mailer.sent) == sorted(s.email for s in subs if s.id != subs[4].id)
    statuses = Counter(store.sends_of(s.id)[0].status for s in subs)
    assert statuses == Counter(sent=19, failed=1)


def test_send_due_on_threads_stops_when_the_mail_server_is_down(
    digests: DigestService, mailer: RecordingMailer, store: SqliteStore
):
    mailer.concurrency = 2
    subs = [subscribed(digests, f"u{n}@example.org") for n in range(30)]

    def down(_email: OutgoingEmail) -> SendResult:
        raise MailServerError("cannot reach the mail server")

    mailer.decide = down
    with pytest.raises(MailServerError):
        digests.send_due()
    claimed = [s for s in subs if store.sends_of(s.id)]
    assert 1 <= len(claimed) <= 2 * 2 + 1  # at most the queued claims
    mailer.decide = None
    report = digests.send_due()
    assert report.sent + report.resent == 30
    assert sorted(m.to for m in mailer.sent) == sorted(s.email for s in subs)
