"""RSS and Atom feeds over a real store: every list has one, each parses as XML and carries
the elements RSS 2.0 and Atom (RFC 4287) require, with absolute links and hostile text inert."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from papertide.models import Follow
from papertide.web.feeds.routes import following_feed_token, following_feed_url
from tests.integration.web.api_world import (
    HF_DAY,
    HOSTILE_ID,
    HOSTILE_TITLE,
    NOT_LISTED_ID,
    OLD_STYLE_ID,
    TODAY,
    World,
    build_app,
    build_world,
)

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
BASE = "http://127.0.0.1:8000"  # Settings.public_url without base_url: feeds link there


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


def rss_items(text: str) -> list[ET.Element]:
    """The items of a valid RSS 2.0 document (required elements checked on the way)."""
    root = ET.fromstring(text)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for tag in ("title", "link", "description"):
        assert (channel.findtext(tag) or "").strip(), tag
    assert urlsplit(channel.findtext("link") or "").scheme == "http"
    parsedate_to_datetime(channel.findtext("lastBuildDate") or "")
    items = channel.findall("item")
    guids = [item.findtext("guid") for item in items]
    assert len(set(guids)) == len(guids)
    for item in items:
        assert item.findtext("title") and (item.findtext("link") or "").startswith(BASE)
        if item.find("pubDate") is not None:
            parsedate_to_datetime(item.findtext("pubDate") or "")
    return items


def atom_entries(text: str) -> list[ET.Element]:
    """The entries of a valid Atom document (RFC 4287 section 4.1 required elements)."""
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{tag}") or "").strip(), tag
    datetime.fromisoformat(root.findtext(f"{ATOM}updated") or "")
    rels = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert (rels["self"] or "").startswith(BASE)
    assert root.find(f"{ATOM}author") is not None  # so entries may leave theirs out
    entries = root.findall(f"{ATOM}entry")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{tag}"), tag
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
    return entries


def rss_ids(text: str) -> list[str]:
    return [
        (item.findtext("link") or "").removeprefix(f"{BASE}/papers/") for item in rss_items(text)
    ]


def atom_ids(text: str) -> list[str]:
    return [
        (e.findtext(f"{ATOM}id") or "").removeprefix(f"{BASE}/papers/") for e in atom_entries(text)
    ]


def test_daily_feed_in_both_formats_lists_the_daily(client):
    """Today's two papers are still filling next to the recorded day: the feed follows the
    daily the home page shows (#12)."""
    rss = client.get("/feeds/daily.rss")
    assert rss.status_code == 200
    assert rss.headers["content-type"] == "application/rss+xml; charset=utf-8"
    page = client.get("/api/daily_papers", params={"limit": 50}).json()
    assert rss_ids(rss.text) == [item["paper"]["id"] for item in page]
    assert HOSTILE_ID not in rss_ids(rss.text)
    atom = client.get("/feeds/daily.atom")
    assert atom.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert atom_ids(atom.text) == rss_ids(rss.text)


def test_daily_feed_of_a_given_day_follows_the_page_order(client):
    feed = client.get("/feeds/daily.rss", params={"date": str(HF_DAY)})
    page = client.get("/api/daily_papers", params={"date": str(HF_DAY), "limit": 100}).json()
    assert rss_ids(feed.text) == [item["paper"]["id"] for item in page]
    channel = ET.fromstring(feed.text).find("channel")
    assert channel is not None
    assert channel.findtext("link") == f"{BASE}/daily/{HF_DAY}"
    empty = client.get("/feeds/daily.atom", params={"date": "2020-01-01"})
    assert atom_entries(empty.text) == []


def test_feeds_keep_hostile_text_as_inert_text(client):
    rss = client.get("/feeds/daily.rss", params={"date": str(TODAY)}).text
    assert "<script>" not in rss
    assert "&lt;script&gt;" in rss
    titles = [item.findtext("title") for item in rss_items(rss)]
    assert HOSTILE_TITLE in titles  # the parsed text is the title as written
    atom = client.get("/feeds/daily.atom", params={"date": str(TODAY)}).text
    assert HOSTILE_TITLE in [e.findtext(f"{ATOM}title") for e in atom_entries(atom)]


def test_trending_feed_lists_papers_by_score(client):
    api = client.get("/api/trending", params={"limit": 50}).json()
    feed = client.get("/feeds/trending.rss")
    assert feed.headers["cache-control"] == "public, max-age=300"
    assert rss_ids(feed.text) == [item["paper"]["id"] for item in api]
    only = client.get("/feeds/trending.atom", params={"category": "hep-th"})
    assert atom_ids(only.text) == [OLD_STYLE_ID]


def test_search_feed_follows_a_query_and_survives_control_characters(client):
    feed = client.get("/feeds/search.rss", params={"q": "transformers attention"})
    assert HOSTILE_ID in rss_ids(feed.text)
    channel = ET.fromstring(feed.text).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Search: transformers attention"
    assert channel.findtext("link") == f"{BASE}/search?q=transformers+attention"
    odd = client.get("/feeds/search.atom", params={"q": "bell\x07 \x00 <b>&amp;"})
    assert odd.status_code == 200
    assert atom_entries(odd.text) is not None


def test_author_and_category_feeds(client):
    author = client.get("/feeds/authors/Edward Witten.rss")
    assert rss_ids(author.text) == [OLD_STYLE_ID]
    dotted = client.get("/feeds/authors/Émile Borel.atom")
    assert set(atom_ids(dotted.text)) == {HOSTILE_ID, NOT_LISTED_ID}
    category = client.get("/feeds/categories/cs.CL.rss")
    assert set(rss_ids(category.text)) == {HOSTILE_ID}
    assert rss_ids(client.get("/feeds/categories/cs.LG.rss").text) == [NOT_LISTED_ID]
    assert rss_ids(client.get("/feeds/categories/no.such.rss").text) == []


def test_following_feed_merges_followed_topics_for_the_token_holder(client, world):
    user, _ = world.user_with_token("alice")
    world.services.community.follow(user, Follow("author", "Edward Witten"), True)
    world.services.community.follow(user, Follow("category", "cs.CL"), True)
    url = following_feed_url(world.services, user)
    assert url.startswith(f"{BASE}/feeds/users/alice/following.rss?token=")
    response = client.get(url.removeprefix(BASE))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private"
    assert set(rss_ids(response.text)) == {OLD_STYLE_ID, HOSTILE_ID}
    atom = client.get(following_feed_url(world.services, user, "atom").removeprefix(BASE))
    assert len(atom_entries(atom.text)) == 2


def test_following_feed_with_a_keyword_uses_search(client, world):
    user, _ = world.user_with_token("carol")
    world.services.community.follow(user, Follow("keyword", "string theory branes"), True)
    response = client.get(following_feed_url(world.services, user).removeprefix(BASE))
    assert OLD_STYLE_ID in rss_ids(response.text)


def test_following_feed_refuses_missing_forged_or_borrowed_tokens(client, world):
    alice, _ = world.user_with_token("alice")
    bob, _ = world.user_with_token("bob")
    alice_token = following_feed_token(world.services.secret_key, alice)
    forged = following_feed_token(b"another-secret-key-of-32-bytes!!", alice)
    for username, token in (
        ("alice", ""),
        ("alice", forged),
        ("alice", alice_token[:-2]),
        ("bob", alice_token),  # alice's token does not open bob's feed
        ("nobody", alice_token),
    ):
        response = client.get(f"/feeds/users/{username}/following.rss", params={"token": token})
        assert response.status_code == 403, (username, token)
        assert "not valid" in response.json()["error"]
    assert bob.username == "bob"


@pytest.mark.parametrize(
    "path",
    ["/feeds/daily.xml", "/feeds/trending.json", "/feeds/daily.rss?date=2026-13-01"],
)
def test_feeds_refuse_unknown_formats_and_bad_dates(client, path):
    response = client.get(path)
    assert response.status_code == 422
    assert response.json()["error"]
