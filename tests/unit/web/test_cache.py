"""PageCache on its own: freshness, the stale window with one re-render, and its size bound."""

from __future__ import annotations

from papertide.clock import FixedClock
from papertide.web.cache import PageCache

KEY = ("/", "", "example.org", "")
HEADERS = [(b"content-type", b"text/html")]


def cache_with_page(clock: FixedClock) -> PageCache:
    cache = PageCache(clock, ttl_s=1.0, stale_s=1.0)
    cache.store(KEY, 200, HEADERS, b"old")
    return cache


def test_page_cache_serves_a_fresh_page_as_stored():
    clock = FixedClock()
    cache = cache_with_page(clock)
    clock.sleep(0.5)
    page, status = cache.lookup(KEY)
    assert status == "hit"
    assert page is not None and page.body == b"old" and page.headers == HEADERS


def test_page_cache_misses_an_unknown_page():
    assert PageCache(FixedClock()).lookup(("/other", "", "", "")) == (None, "miss")


def test_page_cache_lets_one_request_render_an_old_page_while_others_get_it_stale():
    clock = FixedClock()
    cache = cache_with_page(clock)
    clock.sleep(1.2)
    assert cache.lookup(KEY) == (None, "miss")  # this one renders it again
    page, status = cache.lookup(KEY)
    assert status == "stale" and page is not None and page.body == b"old"
    cache.store(KEY, 200, HEADERS, b"new")
    page, status = cache.lookup(KEY)
    assert status == "hit" and page is not None and page.body == b"new"


def test_page_cache_gives_the_render_to_the_next_request_when_one_fails():
    clock = FixedClock()
    cache = cache_with_page(clock)
    clock.sleep(1.2)
    assert cache.lookup(KEY)[1] == "miss"
    cache.give_up(KEY)
    assert cache.lookup(KEY)[1] == "miss"
    cache.give_up(("/never-stored", "", "", ""))  # nothing to release: no error


def test_page_cache_forgets_a_page_past_its_stale_window():
    clock = FixedClock()
    cache = cache_with_page(clock)
    clock.sleep(2.5)
    assert cache.lookup(KEY) == (None, "miss")
    assert KEY not in cache.pages


def test_page_cache_keeps_at_most_max_entries_dropping_the_least_recently_used():
    cache = PageCache(FixedClock(), max_entries=2)
    first, second, third = (("/daily/" + day, "", "", "") for day in "abc")
    cache.store(first, 200, HEADERS, b"1")
    cache.store(second, 200, HEADERS, b"2")
    assert cache.lookup(first)[1] == "hit"  # now the most recently used
    cache.store(third, 200, HEADERS, b"3")
    assert list(cache.pages) == [first, third]
