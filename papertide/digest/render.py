"""Digest and subscription emails from Jinja2 templates: a subject, a plain-text part and an HTML
part (inline CSS, table layout, so common mail clients render it). Paper text is escaped in the
HTML part and never marked safe; LaTeX is left as written (readable as plain text). No I/O.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from papertide.digest.compose import PERSONAL, TRENDING, Digest, DigestEntry, Period
from papertide.digest.tokens import CONFIRM, FEEDBACK, PREFERENCES, UNSUBSCRIBE, DigestTokens
from papertide.store.digest_base import Subscription

ABSTRACT_MAX_CHARS = 420
TEXT_WIDTH_CHARS = 72
AUTHORS_SHOWN = 4
SUBJECT_MAX_CHARS = 120
FILTER_CACHE_SIZE = 4096  # formatted texts kept per renderer (a period has a few hundred papers)
_SPACE = re.compile(r"\s+")
_RELEVANT = "\x00relevant\x00"  # placeholders in cached cards for each subscriber's links
_NOT_RELEVANT = "\x00not-relevant\x00"


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """What an email says: subject (one line), text part and HTML part."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class DigestLinks:
    """The links of one subscriber's emails, each with a signed token where it acts; each
    link is signed once however often the templates use it."""

    base_url: str
    tokens: DigestTokens
    subscription_id: int
    epoch: int = 0
    _made: dict[tuple[str, str | None, int | None], str] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def site(self) -> str:
        return self.base_url.rstrip("/") + "/"

    def paper(self, paper_id: str) -> str:
        return f"{self.site}papers/{url_path(paper_id)}"

    def feedback(self, paper_id: str, value: int) -> str:
        return f"{self.site}digest/feedback?token={self._token(FEEDBACK, paper_id, value)}"

    def unsubscribe(self) -> str:
        return f"{self.site}digest/unsubscribe?token={self._token(UNSUBSCRIBE)}"

    def preferences(self) -> str:
        return f"{self.site}digest/preferences?token={self._token(PREFERENCES)}"

    def confirm(self) -> str:
        return f"{self.site}digest/confirm?token={self._token(CONFIRM)}"

    def _token(self, purpose: str, paper_id: str | None = None, value: int | None = None) -> str:
        key = (purpose, paper_id, value)
        if key not in self._made:
            self._made[key] = self.tokens.make(
                purpose, self.subscription_id, paper_id, value, self.epoch
            )
        return self._made[key]


@dataclass(frozen=True, slots=True)
class ReplyItem:
    """One reply in a reply email: who wrote it, on which paper, what (as written), and the
    links to the paper and to the reply's place on it."""

    author: str
    title: str
    body: str
    paper_url: str
    url: str


@dataclass(frozen=True, slots=True)
class ReplyLinks:
    """The links of a reply email's footer: turn them off (signed), settings, notifications."""

    site: str
    off: str
    settings: str
    notifications: str


class DigestRenderer:
    """Renders emails with the templates of papertide/digest/templates (one environment)."""

    def __init__(self, site_name: str = "papertide") -> None:
        self.site_name = site_name
        self._env = Environment(
            loader=PackageLoader("papertide.digest", "templates"),
            autoescape=select_autoescape(("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        # the same papers go to every subscriber of a period: format each text once
        cached = functools.partial(functools.lru_cache, maxsize=FILTER_CACHE_SIZE)
        self._env.filters.update(
            oneline=cached()(one_line),
            clip=cached()(clip),
            authors=cached()(format_authors),
            wrap=cached()(wrap_text),
            urlpath=cached()(url_path),
            quoted=quoted,
        )

        self._card = functools.lru_cache(maxsize=FILTER_CACHE_SIZE)(self._render_card)

    def digest(self, digest: Digest, links: DigestLinks) -> RenderedEmail:
        """The digest email: its entries grouped into "For you" and "Trending" sections."""
        grouped = [
            (title, [e for e in digest.entries if e.section == section])
            for title, section in (("For you", PERSONAL), ("Trending", TRENDING))
        ]
        subject = digest_subject(self.site_name, digest.period, digest.entries)
        context = {
            "site_name": self.site_name,
            "subject": subject,
            "period_label": period_label(digest.period),
            "digest": digest,
            "links": links,
        }
        parts = []
        for kind in ("txt", "html"):
            sections = [(title, self._cards(kind, es, links)) for title, es in grouped if es]
            template = self._env.get_template(f"digest.{kind}")
            parts.append(template.render(context | {"sections": sections}))
        return RenderedEmail(subject, parts[0], parts[1])

    def _cards(self, kind: str, entries: Sequence[DigestEntry], links: DigestLinks) -> list[str]:
        """Each paper's part of the digest, numbered within its section. A paper goes to many
        subscribers: its card is rendered once (cached) and gets each one's feedback links."""
        cards = []
        for number, entry in enumerate(entries, 1):
            card = self._card(kind, number, entry, links.site)
            paper_id = entry.paper.id
            card = card.replace(_RELEVANT, links.feedback(paper_id, 1))
            card = card.replace(_NOT_RELEVANT, links.feedback(paper_id, -1))
            cards.append(Markup(card) if kind == "html" else card)  # safe: see _render_card
        return cards

    def _render_card(self, kind: str, number: int, entry: DigestEntry, site: str) -> str:
        """A card with placeholders for the feedback links. The HTML one comes from an
        autoescaping template, and the links put in its place are URL-safe text."""
        links = {"site": site, "relevant": _RELEVANT, "not_relevant": _NOT_RELEVANT}
        context = {"entry": entry, "paper": entry.paper, "number": number, "card_links": links}
        return self._env.get_template(f"_card.{kind}").render(context)

    def confirmation(self, subscription: Subscription, links: DigestLinks) -> RenderedEmail:
        """The double opt-in email: one link confirms; doing nothing subscribes no one."""
        subject = f"Confirm your {self.site_name} digest subscription"
        return self._render("confirm", subject, self._context(subject, subscription, links))

    def reminder(self, subscription: Subscription, links: DigestLinks) -> RenderedEmail:
        """Sent when an active subscriber subscribes again: where to change preferences."""
        subject = f"Your {self.site_name} digest subscription"
        return self._render("manage", subject, self._context(subject, subscription, links))

    def address_in_use(self, address: str, site: str) -> RenderedEmail:
        """Sent to an address someone tried to sign up with while an account has it."""
        subject = f"Your {self.site_name} address is already in use"
        context = {"site_name": self.site_name, "subject": subject, "address": address}
        return self._render("address_in_use", subject, context | {"links": {"site": site}})

    def account_link(self, purpose: str, link: str, hours: int, site: str) -> RenderedEmail:
        """A password-reset ("reset") or email-change ("email") message: one button to
        `link`, valid for `hours`."""
        if purpose == "reset":
            subject = f"Reset your {self.site_name} password"
            intro = f"Someone (we hope you) asked to reset the password of the {self.site_name}"
            intro += " account with this address."
            action = "Choose a new password"
        else:
            subject = f"Confirm your new {self.site_name} email address"
            intro = f"Confirm that this address is now the one of your {self.site_name} account."
            action = "Confirm this address"
        context: dict[str, object] = {"site_name": self.site_name, "subject": subject}
        context |= {
            "intro": intro,
            "action": action,
            "hours": hours,
            "links": {"site": site, "action": link},
        }
        return self._render("account_link", subject, context)

    def replies(
        self, replies: Sequence[ReplyItem], more: int, links: ReplyLinks, interval: str
    ) -> RenderedEmail:
        """The email about new replies to someone's comments: each reply's text as written
        (escaped in HTML, LaTeX left as text), `more` not shown, and how to stop them."""
        total = len(replies) + more
        if total == 1:
            subject = f"{self.site_name}: {replies[0].author} replied to your comment"
        else:
            subject = f"{self.site_name}: {total} new replies to your comments"
        subject = clip(subject, SUBJECT_MAX_CHARS)
        context: dict[str, object] = {"site_name": self.site_name, "subject": subject}
        context |= {"replies": replies, "more": more, "links": links, "interval": interval}
        return self._render("replies", subject, context)

    def _context(
        self, subject: str, subscription: Subscription, links: DigestLinks
    ) -> dict[str, object]:
        return {
            "site_name": self.site_name,
            "subject": subject,
            "subscription": subscription,
            "links": links,
        }

    def _render(self, name: str, subject: str, context: dict[str, object]) -> RenderedEmail:
        text = self._env.get_template(f"{name}.txt").render(context)
        html = self._env.get_template(f"{name}.html").render(context)
        return RenderedEmail(subject, text, html)


def digest_subject(site_name: str, period: Period, entries: Sequence[DigestEntry]) -> str:
    """ "papertide: 8 papers for you, Fri 2 Jan" (one line, at most SUBJECT_MAX_CHARS)."""
    plural = "s" if len(entries) != 1 else ""
    if any(e.section == PERSONAL for e in entries):
        what = f"{len(entries)} paper{plural} for you"
    else:
        what = f"{len(entries)} trending paper{plural}"
    return clip(f"{site_name}: {what}, {period_label(period)}", SUBJECT_MAX_CHARS)


def period_label(period: Period) -> str:
    """Fri 2 Jan 2026; Fri 2 to Sun 4 Jan 2026; week of Mon 29 Dec 2025."""
    if period.cadence == "weekly":
        return f"week of {_day(period.since)}"
    if period.since == period.until:
        return _day(period.until)
    return f"{period.since:%a} {period.since.day} to {_day(period.until)}"


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def url_path(paper_id: str) -> str:
    """A paper id as a URL path: old-style ids keep their slash (hep-th/9901001)."""
    return quote(paper_id, safe="/")


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces."""
    return _SPACE.sub(" ", text).strip()


def clip(text: str, limit: int = ABSTRACT_MAX_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    line = one_line(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def format_authors(authors: Sequence[str]) -> str:
    shown = ", ".join(authors[:AUTHORS_SHOWN])
    return f"{shown} et al." if len(authors) > AUTHORS_SHOWN else shown


def wrap_text(text: str, indent: str = "") -> str:
    """Plain text wrapped to TEXT_WIDTH_CHARS, each line indented; URLs are never broken."""
    return textwrap.fill(
        one_line(text),
        width=TEXT_WIDTH_CHARS,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def quoted(text: str) -> str:
    """Text quoted as in a plain-text email reply: each line after "> "."""
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())
