import html
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from papertide.models import Paper
from papertide.web.feeds.render import (
    ATOM_NS,
    DC_NS,
    Feed,
    FeedItem,
    feed_item,
    render_atom,
    render_feed,
    render_rss,
)

A = f"{{{ATOM_NS}}}"
UPDATED = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
HOSTILE = 'Bounds for $a<b$ & <script>alert(1)</script> ]]> "q" \x00\x08\x1b\ud800\ufffe end'
CLEAN = 'Bounds for $a<b$ & <script>alert(1)</script> ]]> "q" end'


def item(pid: str = "2603.01234", **changes: object) -> FeedItem:
    values: dict[str, object] = {
        "paper_id": pid,
        "title": "Sparse\n  attention at scale",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": "We study $O(n \\log n)$\nattention.",
        "link": f"https://papers.example/paper/{pid}",
        "published": datetime(2026, 3, 9, 18, tzinfo=UTC),
        "updated": datetime(2026, 3, 10, 8, tzinfo=UTC),
        "categories": ("cs.LG", "cs.CL"),
    }
    values.update(changes)
    return FeedItem(**values)  # type: ignore[arg-type]


def feed(*items: FeedItem, **changes: object) -> Feed:
    values: dict[str, object] = {
        "title": "Trending papers",
        "self_url": "https://papers.example/trending.rss?cat=cs.CL&days=7",
        "page_url": "https://papers.example/trending?cat=cs.CL&days=7",
        "updated": UPDATED,
        "items": items,
    }
    values.update(changes)
    return Feed(**values)  # type: ignore[arg-type]


def test_render_rss_has_the_required_elements():
    channel = ET.fromstring(render_rss(feed(item(), item("2603.05678")))).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Trending papers"
    assert channel.findtext("link") == "https://papers.example/trending?cat=cs.CL&days=7"
    assert channel.findtext("description") == "Trending papers"
    self_link = channel.find(f"{A}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href") == "https://papers.example/trending.rss?cat=cs.CL&days=7"
    assert parsedate_to_datetime(channel.findtext("lastBuildDate", "")) == UPDATED
    first, second = channel.findall("item")
    assert first.findtext("title") == "Sparse attention at scale"
    assert (
        first.findtext("link")
        == first.findtext("guid")
        == "https://papers.example/paper/2603.01234"
    )
    assert first.find("guid").get("isPermaLink") == "true"  # type: ignore[union-attr]
    assert first.findtext("description") == "We study $O(n \\log n)$ attention."
    assert first.findtext(f"{{{DC_NS}}}creator") == "Ada Lovelace, Alan Turing"
    assert [c.text for c in first.findall("category")] == ["cs.LG", "cs.CL"]
    assert parsedate_to_datetime(first.findtext("pubDate", "")) == datetime(
        2026, 3, 9, 18, tzinfo=UTC
    )
    assert second.findtext("guid") == "https://papers.example/paper/2603.05678"


def test_render_atom_has_the_required_elements():
    root = ET.fromstring(render_atom(feed(item(), description="What people read")))
    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}id") == "https://papers.example/trending.rss?cat=cs.CL&days=7"
    assert root.findtext(f"{A}title") == "Trending papers"
    assert root.findtext(f"{A}subtitle") == "What people read"
    assert root.findtext(f"{A}updated") == "2026-03-10T12:30:00Z"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {
        "self": "https://papers.example/trending.rss?cat=cs.CL&days=7",
        "alternate": "https://papers.example/trending?cat=cs.CL&days=7",
    }
    [entry] = root.findall(f"{A}entry")
    assert entry.findtext(f"{A}id") == "https://papers.example/paper/2603.01234"
    assert entry.findtext(f"{A}title") == "Sparse attention at scale"
    assert entry.findtext(f"{A}updated") == "2026-03-10T08:00:00Z"
    assert entry.findtext(f"{A}published") == "2026-03-09T18:00:00Z"
    link = entry.find(f"{A}link")
    assert link is not None and link.get("href") == "https://papers.example/paper/2603.01234"
    assert [a.findtext(f"{A}name") for a in entry.findall(f"{A}author")] == [
        "Ada Lovelace",
        "Alan Turing",
    ]
    assert [c.get("term") for c in entry.findall(f"{A}category")] == ["cs.LG", "cs.CL"]
    assert entry.findtext(f"{A}summary") == "We study $O(n \\log n)$ attention."


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_render_feed_escapes_hostile_titles_and_drops_forbidden_characters(fmt):
    hostile = item(title=HOSTILE, abstract=HOSTILE, authors=(HOSTILE,), categories=("a&b<c",))
    text = render_feed(feed(hostile, title=HOSTILE, self_url='https://x.example/f?a=1&b="2"'), fmt)
    root = ET.fromstring(text)  # well-formed despite the input
    assert "\x00" not in text and "\x1b" not in text and "\ufffe" not in text
    assert not list(root.iter("script"))
    found = [t for t in root.itertext() if "Bounds" in t]
    # feed title, item title, abstract, author; RSS descriptions hold HTML, escaped once more
    assert len(found) >= 4 and {html.unescape(t) for t in found} == {CLEAN}
    if fmt == "rss":
        description = root.find("channel/item/description")
        assert description is not None and description.text == html.escape(CLEAN, quote=False)
    hrefs = [e.get("href") for e in root.iter() if e.get("rel") == "self"]
    assert hrefs == ['https://x.example/f?a=1&b="2"']
    terms = [e.get("term") or e.text for e in root.iter() if e.tag.endswith("category")]
    assert terms == ["a&b<c"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_render_feed_without_items_is_a_valid_document(fmt):
    root = ET.fromstring(render_feed(feed(), fmt))
    assert not list(root.iter("item")) and not list(root.iter(f"{A}entry"))


def test_render_feed_dates_fall_back_and_naive_times_are_utc():
    bare = item(published=None, updated=None, authors=(), categories=())
    naive = item("2603.00002", published=datetime(2026, 1, 2, 3, 4, 5), updated=None)
    rss = ET.fromstring(render_rss(feed(bare, naive)))
    first, second = rss.iter("item")
    assert first.find("pubDate") is None and first.find(f"{{{DC_NS}}}creator") is None
    assert parsedate_to_datetime(second.findtext("pubDate", "")) == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    atom = ET.fromstring(render_atom(feed(bare, naive)))
    first, second = atom.iter(f"{A}entry")
    assert first.findtext(f"{A}updated") == "2026-03-10T12:30:00Z"  # the feed's time
    assert first.find(f"{A}published") is None
    assert second.findtext(f"{A}updated") == "2026-01-02T03:04:05Z"  # published stands in
    assert atom.find(f"{A}author/{A}name") is not None  # entries without authors inherit it


def test_render_feed_rejects_an_unknown_format():
    with pytest.raises(ValueError, match="unknown feed format 'json'"):
        render_feed(feed(), "json")


def test_feed_item_copies_a_paper():
    paper = Paper(
        "2603.01234",
        "A title",
        "An abstract.",
        ("Ada Lovelace",),
        ("cs.LG",),
        published=datetime(2026, 3, 1, tzinfo=UTC),
    )
    made = feed_item(paper, "https://papers.example/paper/2603.01234")
    assert made == FeedItem(
        "2603.01234",
        "A title",
        ("Ada Lovelace",),
        "An abstract.",
        "https://papers.example/paper/2603.01234",
        datetime(2026, 3, 1, tzinfo=UTC),
        None,
        ("cs.LG",),
    )
