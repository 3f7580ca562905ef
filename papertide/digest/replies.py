"""Reply emails: "someone replied to your comment", for accounts that turned the option on.

They go out where digests go out (every `send_due` run: the scheduler of `papertide serve`
every 15 minutes, or cron with `papertide digest send`), through the same mailer. Each run
emails each recipient its replies not emailed yet in one message, and at most one message per
recipient every `interval_s`: replies arriving in between wait and go together. Like digests,
a batch is claimed (committed, Message-ID chosen) before it is sent and finished after the
mail server answered; an interrupted one is re-sent with the same Message-ID by a later run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from papertide.clock import Clock
from papertide.digest.render import (
    DigestRenderer,
    ReplyItem,
    ReplyLinks,
    clip,
    url_path,
)
from papertide.digest.send import (
    PERMANENT,
    SENT,
    Mailer,
    MailServerError,
    OutgoingEmail,
    new_message_id,
    sender_domain,
)
from papertide.digest.tokens import REPLIES_OFF, DigestTokens
from papertide.models import Notification
from papertide.store.base import Store
from papertide.store.digest_base import Shard
from papertide.store.replies_base import ReplyRecipient

REPLY_INTERVAL_S = 30 * 60  # at most one reply email per recipient in this time
REPLY_WINDOW_DAYS = 7  # older replies are never emailed (a sender that was off for weeks)
REPLIES_SHOWN = 10  # replies quoted in one email; the others are counted with a link
REPLY_MAX_CHARS = 1_000
MAX_REPLY_ATTEMPTS = 5


class ReplyEmails:
    """Sends the due reply emails, and turns the option off from an email's link."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        mailer: Mailer,
        tokens: DigestTokens,
        base_url: str,
        sender: str,
        renderer: DigestRenderer,
        interval_s: float = REPLY_INTERVAL_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.mailer = mailer
        self.tokens = tokens
        self.site = base_url.rstrip("/") + "/"
        self.sender = sender
        self.renderer = renderer
        self.interval_s = interval_s

    def send(self, shard: Shard, dry_run: bool, tally: Counter[str]) -> None:
        """Re-send this shard's interrupted reply emails, then send the due ones, counting
        outcomes in `tally` (replies_sent, replies_deferred, replies_failed; would_send and
        skipped as digests do). MailServerError stops the run; claims stay for the next."""
        now = self.clock.now()
        since = now - timedelta(days=REPLY_WINDOW_DAYS)
        if not dry_run:
            self._resend_open(shard, since, tally)
        quiet_since = now - timedelta(seconds=self.interval_s)
        for batch in self.store.due_reply_emails(shard, since, quiet_since):
            if dry_run:
                tally["would_send"] += 1
                continue
            recipient = batch.recipient
            message_id = new_message_id(self.sender, f"replies.{recipient.user_id}")
            ids = [note.id for note in batch.notifications]
            if not self.store.claim_reply_email(recipient.user_id, ids, message_id):
                tally["skipped"] += 1  # another run claimed them, or the option went off
                continue
            self._deliver(recipient, batch.notifications, message_id, tally)

    def turn_off(self, token: str) -> int:
        """Turn reply emails off for the user of an email's link (idempotent); its user id.
        TokenError when the link is forged or expired."""
        user_id = self.user_of(token)
        self.store.set_reply_emails(user_id, False)
        return user_id

    def user_of(self, token: str) -> int:
        """The user id a turn-off link speaks for; TokenError when invalid or expired."""
        return self.tokens.read(REPLIES_OFF, token).subscription_id

    def off_link(self, user_id: int) -> str:
        return f"{self.site}digest/replies/off?token={self.tokens.make(REPLIES_OFF, user_id)}"

    def email(
        self, recipient: ReplyRecipient, notes: Sequence[Notification], message_id: str
    ) -> OutgoingEmail:
        """The message: the first REPLIES_SHOWN replies, with RFC 8058 one-click turn-off."""
        shown = notes[:REPLIES_SHOWN]
        off = self.off_link(recipient.user_id)
        settings, listed = f"{self.site}account/settings#reply-emails", f"{self.site}notifications"
        rendered = self.renderer.replies(
            self._items(shown),
            len(notes) - len(shown),
            ReplyLinks(self.site, off, settings, listed),
            _duration(self.interval_s),
        )
        domain = sender_domain(self.sender)
        headers = (
            ("List-Unsubscribe", f"<{off}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),  # RFC 8058
            ("List-Id", f"{self.renderer.site_name} replies <replies.{domain}>"),
        )
        return OutgoingEmail(
            recipient.email, rendered.subject, rendered.text, rendered.html, message_id, headers
        )

    def _items(self, notes: Sequence[Notification]) -> list[ReplyItem]:
        """What the email says of each reply, with its paper's title and links."""
        papers = self.store.get_papers(sorted({note.comment.paper_id for note in notes}))
        items = []
        for note in notes:
            reply = note.comment
            paper = papers.get(reply.paper_id)
            paper_url = f"{self.site}papers/{url_path(reply.paper_id)}"
            title = paper.title if paper else reply.paper_id
            link = comment_url(paper_url, reply.id)
            items.append(ReplyItem(reply.username, title, clip_body(reply.body), paper_url, link))
        return items

    def _resend_open(self, shard: Shard, since: datetime, tally: Counter[str]) -> None:
        """Re-send claims earlier runs never finished (killed, or a temporary failure)."""
        for batch in self.store.open_reply_emails(shard, since, MAX_REPLY_ATTEMPTS):
            message_id = batch.message_id or ""
            if not self.store.reclaim_reply_email(message_id, MAX_REPLY_ATTEMPTS):
                continue
            if not batch.active:  # turned off, suspended or email changed meanwhile
                self.store.finish_reply_email(message_id, "failed", "no longer wanted")
                continue
            self._deliver(batch.recipient, batch.notifications, message_id, tally)

    def _deliver(
        self,
        recipient: ReplyRecipient,
        notes: Sequence[Notification],
        message_id: str,
        tally: Counter[str],
    ) -> None:
        try:
            result = self.mailer.send(self.email(recipient, notes, message_id))
        except MailServerError as error:
            self.store.finish_reply_email(message_id, "deferred", str(error))
            raise
        if result.status == SENT:
            self.store.finish_reply_email(message_id, "sent")
            tally["replies_sent"] += 1
        elif result.status == PERMANENT:
            self.store.finish_reply_email(message_id, "failed", result.detail)
            tally["replies_failed"] += 1
        else:
            self.store.finish_reply_email(message_id, "deferred", result.detail)
            tally["replies_deferred"] += 1


def comment_url(paper_url: str, comment_id: int) -> str:
    """A comment's place on its paper page (the rule of the web tier's to_comment)."""
    return f"{paper_url}#comment-{comment_id}"


def clip_body(body: str) -> str:
    """A reply's text as written (lines kept), cut at REPLY_MAX_CHARS at a word."""
    text = body.strip()
    if len(text) <= REPLY_MAX_CHARS:
        return text
    return clip(text[: REPLY_MAX_CHARS + 1], REPLY_MAX_CHARS)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return "hour" if hours == 1 else f"{hours} hours"
    return "minute" if minutes == 1 else f"{minutes} minutes"
