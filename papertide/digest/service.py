"""DigestService: subscriptions (double opt-in), confirm, unsubscribe, preferences, feedback
from email links, `send_due` and `preview`. Papers come from the daily pages (listings) of each
period; sending goes through the durable send log (see docs/digest.md for the guarantees).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Protocol

from papertide.clock import Clock
from papertide.digest.compose import (
    DIGEST_MAX_PAPERS,
    TRENDING,
    Digest,
    DigestItem,
    Period,
    Ranked,
    compose_digest,
    current_period,
    digest_entries,
    period_of_key,
    preview_period,
)
from papertide.digest.outbox import Delivery, Outbox
from papertide.digest.render import DigestLinks, DigestRenderer, RenderedEmail
from papertide.digest.replies import REPLY_INTERVAL_S, ReplyEmails
from papertide.digest.send import (
    PERMANENT,
    SENT,
    Mailer,
    MailServerError,
    NoMailServer,
    OutgoingEmail,
    SendResult,
    check_address,
    new_message_id,
    sender_domain,
)
from papertide.digest.tokens import (
    CONFIRM,
    FEEDBACK,
    PREFERENCES,
    UNSUBSCRIBE,
    DigestTokens,
    TokenClaims,
    TokenError,
)
from papertide.errors import ConflictError, InputError, RateLimitError
from papertide.models import Paper, User
from papertide.rank.listings import ListingsService
from papertide.rank.trending import TrendingScore
from papertide.store.base import Store
from papertide.store.digest_base import CADENCES, CONTENTS, Rating, Shard, Subscription

PAGE_SIZE = 500
RESEND_WINDOW_DAYS = 8  # open claims younger than this are re-sent; a weekly period fits
MAX_SEND_ATTEMPTS = 5
SUBSCRIBE_LIMIT = (3, 86_400)  # confirmation emails per address per day


class PeriodRanker(Protocol):
    """Personal rankings of one period's candidate papers."""

    def rank(
        self,
        subscription: Subscription,
        ratings: Sequence[Rating],
        exclude: Collection[str],
        limit: int,
    ) -> list[Ranked] | None:
        """At most `limit` papers not in `exclude`, best first; None when nothing is known of
        the subscriber yet (cold start)."""
        ...


class PersonalRanker(Protocol):
    """The per-user model, prepared once per period over its candidate papers."""

    def for_period(self, candidates: Sequence[Paper]) -> PeriodRanker: ...


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one `send_due` run did. `deferred`: temporary failures, tried again next run;
    `failed`: permanent failures (bounces); `empty`: nothing new to send this period.
    `replies_*`: the reply emails (see replies.py), counted alike."""

    sent: int = 0
    resent: int = 0
    deferred: int = 0
    failed: int = 0
    paused: int = 0
    empty: int = 0
    skipped: int = 0
    would_send: int = 0
    replies_sent: int = 0
    replies_deferred: int = 0
    replies_failed: int = 0


@dataclass(frozen=True, slots=True)
class _Batch:
    """What every subscriber's digest of one period is composed from (loaded once)."""

    period: Period
    papers: dict[str, Paper]
    trending: tuple[Ranked, ...]
    personal: PeriodRanker | None


class DigestService:
    """Subscriptions and digests over a store, a mailer and the signed link tokens."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        mailer: Mailer,
        tokens: DigestTokens,
        base_url: str,
        sender: str,
        personal: PersonalRanker | None = None,
        renderer: DigestRenderer | None = None,
        limit: int = DIGEST_MAX_PAPERS,
        listings: ListingsService | None = None,
        reply_interval_s: float = REPLY_INTERVAL_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.mailer = mailer
        self.tokens = tokens
        self.base_url = base_url
        self.sender = sender
        self.personal = personal
        self.renderer = renderer or DigestRenderer()
        self.limit = limit
        self.listings = listings or ListingsService(store, clock)
        self.replies = ReplyEmails(
            store, clock, mailer, tokens, base_url, sender, self.renderer, reply_interval_s
        )

    # --- subscriptions ---

    def subscribe(
        self,
        email: str,
        cadence: str = "daily",
        content: str = "both",
        user_id: int | None = None,
        confirmed: bool = False,
    ) -> Subscription:
        """Subscribe an address: a pending one gets the confirmation email (double opt-in),
        an active one an email with its preferences link; `confirmed` (admins) skips both and
        links the subscription to `user_id`. Without `confirmed` nothing is linked here: the
        address's owner links it by confirming while logged in (see confirm)."""
        address = check_address(email)
        _check_preferences(cadence, content)
        if not confirmed:
            self._limit_subscribe(address)
        sub = self.store.add_subscription(address, cadence, content, user_id if confirmed else None)
        if confirmed:
            confirmed_sub = self.store.confirm_subscription(sub.id) or sub
            if user_id is not None and confirmed_sub.user_id != user_id:
                return _existing(self.store.link_subscription(sub.id, user_id))
            return confirmed_sub
        links = self._links(sub)
        if sub.state == "pending":
            self._send_notice(sub, self.renderer.confirmation(sub, links), "confirm")
        elif sub.state == "active":
            self._send_notice(sub, self.renderer.reminder(sub, links), "manage")
        return sub

    def confirm(self, token: str, user: User | None = None) -> Subscription:
        """Confirm the subscription of a confirmation link. When `user` (the browser's
        account) has this address as its email, the subscription is linked to it: the link
        proves the mailbox, the session the account."""
        sub = self._current(self.tokens.read(CONFIRM, token))
        sub = _existing(self.store.confirm_subscription(sub.id))
        if user is not None and user.email and user.email.casefold() == sub.email.casefold():
            sub = _existing(self.store.link_subscription(sub.id, user.id))
        return sub

    def unsubscribe(self, token: str) -> Subscription:
        """End the subscription of an unsubscribe (or preferences) link; idempotent."""
        sub = self._current(self._read_any(token, (UNSUBSCRIBE, PREFERENCES)), ended_ok=True)
        return _existing(self.store.end_subscription(sub.id))

    def subscription_for(self, purpose: str, token: str) -> Subscription:
        """The subscription a link of this purpose names (pages show it before a POST)."""
        return self._current(self.tokens.read(purpose, token), ended_ok=purpose == UNSUBSCRIBE)

    def update_preferences(self, token: str, cadence: str, content: str) -> Subscription:
        _check_preferences(cadence, content)
        sub = self._current(self.tokens.read(PREFERENCES, token))
        return _existing(self.store.set_subscription_preferences(sub.id, cadence, content))

    def feedback(self, token: str) -> TokenClaims:
        """Record the rating of a feedback link (its subscriber's user when there is one)."""
        claims = self.feedback_claims(token)
        sub = self._current(claims)
        if claims.paper_id is None or claims.value not in (1, -1):  # pragma: no cover - signed
            raise TokenError("this link is not valid")
        self.store.set_rating(claims.paper_id, claims.value, "email", sub.user_id, sub.id)
        return claims

    def feedback_claims(self, token: str) -> TokenClaims:
        """What a feedback link would record, without recording it."""
        claims = self.tokens.read(FEEDBACK, token)
        self._current(claims)
        return claims

    def links(self, subscription: Subscription) -> DigestLinks:
        return self._links(subscription)

    @property
    def can_mail(self) -> bool:
        """Whether a mail server is configured (else the site offers no sign-up by email)."""
        return not isinstance(self.mailer, NoMailServer)

    def notify_address_in_use(self, address: str) -> bool:
        """Tell an address's owner that someone tried to sign up with it; False when no mail
        could go out (no mail server, or the server refused): the sign-up goes on anyway."""
        if not self.can_mail:
            return False
        site = self.base_url.rstrip("/") + "/"
        rendered = self.renderer.address_in_use(address, site)
        return self._send_lone(address, rendered, "address-in-use")

    def send_account_link(self, address: str, purpose: str, path: str, hours: int) -> bool:
        """Mail a password-reset ("reset") or email-change ("email") link to the site's `path`
        (with its token); False when no mail could go out."""
        if not self.can_mail:
            return False
        site = self.base_url.rstrip("/") + "/"
        link = site + path.lstrip("/")
        rendered = self.renderer.account_link(purpose, link, hours, site)
        return self._send_lone(address, rendered, f"account-{purpose}")

    def _send_lone(self, address: str, rendered: RenderedEmail, kind: str) -> bool:
        """Send one message outside any digest; False when the server refused it."""
        message_id = new_message_id(self.sender, kind)
        email = OutgoingEmail(address, rendered.subject, rendered.text, rendered.html, message_id)
        try:
            return self.mailer.send(email).status == SENT
        except MailServerError:
            return False

    # --- sending ---

    def send_due(self, dry_run: bool = False, shard: Shard = (0, 1)) -> SendReport:
        """Send every due digest of this shard (subscriptions with id % n == i) once, then
        the shard's due reply emails (users with id % n == i; see replies.py).

        First the shard's open claims of earlier runs are re-sent (same Message-ID, same
        papers), then each cadence's current period is composed and sent, subscriber by
        subscriber: claim committed, message sent, row marked sent. A dry run composes and
        renders but claims and sends nothing. ConflictError when the shard is being sent.
        """
        _check_shard(shard)
        tally: Counter[str] = Counter()
        with self.store.digest_lock(shard) as held:
            if not held:
                raise ConflictError(f"a digest send of shard {shard[0]}/{shard[1]} is running")
            try:
                with Outbox(self.store, self.mailer, tally) as outbox:
                    if not dry_run:
                        self._resend_open(shard, outbox)
                    today = self.clock.now().date()
                    for cadence in CADENCES:
                        period = current_period(cadence, today)
                        if period is not None:
                            self._send_period(self._batch(period), shard, dry_run, outbox)
                self.replies.send(shard, dry_run, tally)
            finally:
                self.mailer.close()
        return SendReport(**{f.name: tally[f.name] for f in fields(SendReport)})

    def preview(self, email: str) -> tuple[Digest, RenderedEmail]:
        """The digest `email` would get now (its current or latest period), rendered."""
        sub = self.store.subscription_for_email(email.strip())
        if sub is None:
            raise InputError(f"no subscription for {email.strip()!r}")
        batch = self._batch(preview_period(sub.cadence, self.clock.now().date()))
        sent = self.store.sent_paper_ids([sub.id], list(batch.papers))[sub.id]
        ratings = self.store.ratings_for([sub])[sub.id]
        digest = self._compose(sub, batch, sent, ratings)
        return digest, self.renderer.digest(digest, self._links(sub))

    def _send_period(self, batch: _Batch, shard: Shard, dry_run: bool, outbox: Outbox) -> None:
        period, after = batch.period, 0
        while page := self.store.due_subscriptions(
            period.cadence, period.key, shard, after, PAGE_SIZE
        ):
            after = page[-1].id
            sent = self.store.sent_paper_ids([s.id for s in page], list(batch.papers))
            needs = [s for s in page if s.content != TRENDING] if batch.personal else []
            ratings = self.store.ratings_for(needs)
            for sub in page:
                digest = self._compose(sub, batch, sent[sub.id], ratings.get(sub.id, []))
                if not digest.entries:
                    outbox.tally["empty"] += 1
                elif dry_run:
                    outbox.tally["would_send"] += 1
                else:
                    self._send_new(digest, outbox)

    def _send_new(self, digest: Digest, outbox: Outbox) -> None:
        """Claim (committed) the digest's period, then hand it to the outbox to send."""
        sub, key = digest.subscription, digest.period.key
        message_id = new_message_id(self.sender, f"{key}.{sub.id}")
        ids = [entry.paper.id for entry in digest.entries]
        if not self.store.claim_send(sub.id, key, message_id, ids, _encode(digest)):
            outbox.tally["skipped"] += 1  # another run claimed it meanwhile
            return
        outbox.submit(Delivery(sub, key, self._email(digest, message_id)))

    def _resend_open(self, shard: Shard, outbox: Outbox) -> None:
        """Re-send claims that earlier runs never finished: killed after the claim (and maybe
        after the server took the message), or failed temporarily."""
        since = self.clock.now() - timedelta(days=RESEND_WINDOW_DAYS)
        for row in self.store.open_sends(shard, since, MAX_SEND_ATTEMPTS):
            if not self.store.reclaim_send(row.subscription_id, row.period):
                continue
            sub = self.store.subscription(row.subscription_id)
            if sub is None or not sub.is_active:
                self.store.mark_failed(row.subscription_id, row.period, "not active", retry=False)
                continue
            digest = _decode(row.items, sub, period_of_key(row.period), self.store)
            email = self._email(digest, row.message_id)
            outbox.submit(Delivery(sub, row.period, email, resent=True))

    def _email(self, digest: Digest, message_id: str) -> OutgoingEmail:
        links = self._links(digest.subscription)
        rendered = self.renderer.digest(digest, links)
        domain = sender_domain(self.sender)
        headers = (
            ("List-Unsubscribe", f"<{links.unsubscribe()}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),  # RFC 8058
            ("List-Id", f"{self.renderer.site_name} digest <digest.{domain}>"),
        )
        return OutgoingEmail(
            digest.subscription.email, rendered.subject, rendered.text, rendered.html,
            message_id, headers,
        )  # fmt: skip

    def _batch(self, period: Period) -> _Batch:
        rows = self.listings.period(period.since, period.until, "trending")
        papers = {row.paper.id: row.paper for row in rows}
        trending = tuple(_trending(row.score) for row in rows if row.score)
        personal = self.personal.for_period(list(papers.values())) if self.personal else None
        return _Batch(period, papers, trending, personal)

    def _compose(
        self, sub: Subscription, batch: _Batch, sent: set[str], ratings: Sequence[Rating]
    ) -> Digest:
        personal = None
        if sub.content != TRENDING and batch.personal is not None:
            personal = batch.personal.rank(sub, ratings, sent, self.limit)
        items = compose_digest(sub.content, batch.trending, personal, sent, self.limit)
        entries = digest_entries(items, batch.papers)
        return Digest(sub, batch.period, entries, personalised=personal is not None)

    # --- small helpers ---

    def _links(self, sub: Subscription) -> DigestLinks:
        return DigestLinks(self.base_url, self.tokens, sub.id, sub.epoch)

    def _current(self, claims: TokenClaims, ended_ok: bool = False) -> Subscription:
        """The subscription a link names, if the link still speaks for it: made for its
        current start (epoch), and, unless `ended_ok`, the subscription not ended."""
        sub = _existing(self.store.subscription(claims.subscription_id))
        if claims.epoch != sub.epoch:
            raise TokenError("this link belongs to an earlier subscription of this address")
        if sub.unsubscribed_at and not ended_ok:
            raise TokenError("this subscription has ended; subscribe again to use its links")
        return sub

    def _read_any(self, token: str, purposes: Sequence[str]) -> TokenClaims:
        for purpose in purposes[:-1]:
            try:
                return self.tokens.read(purpose, token)
            except TokenError:
                continue
        return self.tokens.read(purposes[-1], token)

    def _limit_subscribe(self, address: str) -> None:
        limit, window_s = SUBSCRIBE_LIMIT
        actor = f"email:{address.lower()}"
        wait = self.store.record_write(actor, "digest-subscribe", limit, window_s)
        if wait is not None:
            raise RateLimitError(
                f"{limit} subscription emails to this address in {window_s // 3600} hours", wait
            )

    def _send_notice(self, sub: Subscription, rendered: RenderedEmail, kind: str) -> None:
        message_id = new_message_id(self.sender, f"{kind}.{sub.id}")
        email = OutgoingEmail(sub.email, rendered.subject, rendered.text, rendered.html, message_id)
        result: SendResult = self.mailer.send(email)
        if result.status == PERMANENT:
            raise InputError(f"cannot send to {sub.email}: {result.detail}")
        if result.status != SENT:
            raise MailServerError(f"the mail server did not take the email: {result.detail}")


def _trending(score: TrendingScore) -> Ranked:
    votes = dict(score.parts).get("votes", 0.0)
    reasons = (f"trending: {votes:.0f} upvotes",) if votes >= 1 else ("new on the daily page",)
    return Ranked(score.paper_id, score.score, reasons)


def _encode(digest: Digest) -> str:
    """The digest plan kept with its claim, so a re-send is the same digest."""
    items = [[e.paper.id, e.section, e.score, list(e.reasons)] for e in digest.entries]
    return json.dumps({"personalised": digest.personalised, "items": items})


def _decode(text: str, sub: Subscription, period: Period, store: Store) -> Digest:
    plan = json.loads(text)
    items = [
        DigestItem(pid, section, score, tuple(why)) for pid, section, score, why in plan["items"]
    ]
    papers = store.get_papers([item.paper_id for item in items])
    return Digest(sub, period, digest_entries(items, papers), bool(plan["personalised"]))


def _existing(found: Subscription | None) -> Subscription:
    if found is None:
        raise TokenError("this subscription no longer exists")
    return found


def _check_preferences(cadence: str, content: str) -> None:
    if cadence not in CADENCES:
        raise InputError(f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}")
    if content not in CONTENTS:
        raise InputError(f"content must be one of {', '.join(CONTENTS)}, not {content!r}")


def _check_shard(shard: Shard) -> None:
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise InputError(f"shard must be i/n with 0 <= i < n, not {index}/{count}")
