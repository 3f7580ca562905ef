"""RSS 2.0 and Atom 1.0 documents for lists of papers. Pure: no FastAPI, no store.

Built with xml.etree.ElementTree, which escapes text and attributes; characters that XML 1.0
forbids (most control characters) are dropped first, since no escape can carry them.
RSS 2.0: https://www.rssboard.org/rss-specification; Atom: RFC 4287.

An RSS <description> holds HTML (readers render it), so its text is HTML-escaped before the
XML escaping: an abstract's "<MASK>" then reaches the reader as text, not as a tag to drop.
Atom says what its text is (a <summary> without type is plain text), so it is escaped once.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from papertide.models import Paper

FEED_FORMATS = ("rss", "atom")
RSS_MEDIA_TYPE = "application/rss+xml; charset=utf-8"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
GENERATOR = "papertide"
# XML 1.0 Char production (https://www.w3.org/TR/xml/#charsets): everything else goes
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One paper in a feed; `link` is its page (absolute URL)."""

    paper_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    link: str
    published: datetime | None = None
    updated: datetime | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed: `self_url` is the feed's own URL, `page_url` the HTML page it mirrors."""

    title: str
    self_url: str
    page_url: str
    updated: datetime
    items: tuple[FeedItem, ...]
    description: str = ""


def feed_item(paper: Paper, link: str) -> FeedItem:
    """A paper as a feed item linking to `link`."""
    return FeedItem(
        paper_id=paper.id,
        title=paper.title,
        authors=paper.authors,
        abstract=paper.abstract,
        link=link,
        published=paper.published,
        updated=paper.updated,
        categories=paper.categories,
    )


def render_feed(feed: Feed, fmt: str) -> str:
    """The feed as an XML document in `fmt` ("rss" or "atom")."""
    if fmt == "rss":
        return render_rss(feed)
    if fmt == "atom":
        return render_atom(feed)
    raise ValueError(f"unknown feed format {fmt!r}; use one of {', '.join(FEED_FORMATS)}")


def render_rss(feed: Feed) -> str:
    """RSS 2.0 with an atom:link rel=self; authors as dc:creator (RSS <author> wants e-mails)."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", _line(feed.title))
    _text(channel, "link", feed.page_url)
    _text(channel, "description", _html_text(feed.description or feed.title))
    _link(channel, "atom:link", feed.self_url, "self", "application/rss+xml")
    _text(channel, "lastBuildDate", _rfc822(feed.updated))
    _text(channel, "generator", GENERATOR)
    for item in feed.items:
        entry = ET.SubElement(channel, "item")
        _text(entry, "title", _line(item.title))
        _text(entry, "link", item.link)
        _text(entry, "description", _html_text(item.abstract))
        guid = _text(entry, "guid", item.link)
        guid.set("isPermaLink", "true")
        if item.authors:
            _text(entry, "dc:creator", ", ".join(_line(a) for a in item.authors))
        for category in item.categories:
            _text(entry, "category", category)
        when = item.published or item.updated
        if when is not None:
            _text(entry, "pubDate", _rfc822(when))
    return _document(rss)


def render_atom(feed: Feed) -> str:
    """Atom 1.0 (RFC 4287): ids are the feed's and the papers' URLs."""
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    _text(root, "id", feed.self_url)
    _text(root, "title", _line(feed.title))
    if feed.description:
        _text(root, "subtitle", _line(feed.description))
    _text(root, "updated", _rfc3339(feed.updated))
    _link(root, "link", feed.self_url, "self", "application/atom+xml")
    _link(root, "link", feed.page_url, "alternate", "text/html")
    _text(ET.SubElement(root, "author"), "name", GENERATOR)  # entries without authors inherit
    _text(root, "generator", GENERATOR)
    for item in feed.items:
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", item.link)
        _text(entry, "title", _line(item.title))
        _text(entry, "updated", _rfc3339(item.updated or item.published or feed.updated))
        if item.published is not None:
            _text(entry, "published", _rfc3339(item.published))
        _link(entry, "link", item.link, "alternate", "text/html")
        for name in item.authors:
            _text(ET.SubElement(entry, "author"), "name", _line(name))
        for category in item.categories:
            ET.SubElement(entry, "category", {"term": _clean(category)})
        _text(entry, "summary", _line(item.abstract))
    return _document(root)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _clean(text)
    return element


def _link(parent: ET.Element, tag: str, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, tag, {"href": _clean(href), "rel": rel, "type": media_type})


def _clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold (ElementTree escapes the rest)."""
    return _NOT_XML_CHAR.sub("", text)


def _line(text: str) -> str:
    """Titles and abstracts come hard-wrapped: one line, single spaces."""
    return _SPACES.sub(" ", _clean(text)).strip()


def _html_text(text: str) -> str:
    """Plain text as the HTML an RSS description holds."""
    return html.escape(_line(text), quote=False)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rfc822(moment: datetime) -> str:
    return format_datetime(_utc(moment))


def _rfc3339(moment: datetime) -> str:
    return _utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def _document(root: ET.Element) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
