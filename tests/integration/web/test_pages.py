"""Every page answers: daily (with calendar and neighbours), week, month, trending, paper,
search, author, category, submit, login, signup, about; unknown things are 404 pages and bad
parameters 400/422 pages, never a 500."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import feedparser
import pytest

from papertide.demo import DemoDays, record_demo
from papertide.models import Listing, Record
from papertide.web.pages import search as search_pages
from tests.integration.web.conftest import (
    FETCHABLE_ID,
    HOSTILE_ID,
    OLD_DAY,
    OLD_STYLE_ID,
    PLAIN_ID,
    TODAY,
    UNLISTED_ID,
    VISION_ID,
    YESTERDAY,
    Site,
    make_paper,
)

PAGES = [
    "/",
    f"/daily/{TODAY}",
    f"/daily/{YESTERDAY}",
    "/daily/2025-12-25",
    "/week/2026-W03",
    "/month/2026-01",
    "/month/2025-02",
    "/trending",
    "/trending?category=cs.CL",
    f"/papers/{HOSTILE_ID}",
    f"/papers/{OLD_STYLE_ID}",
    f"/papers/{UNLISTED_ID}",
    "/search",
    "/search?q=translation",
    "/search?q=attention&cat=cs.CL&from=2020&to=2026",
    "/search?q=&cat=cs.CV",
    "/search?q=2601.88888",
    "/authors/Ada%20Lovelace",
    "/categories/cs.CV",
    "/submit",
    "/login",
    "/signup",
    "/about",
    f"/daily/{TODAY}?sort=trending",
    f"/daily/{TODAY}?sort=newest",
    "/month/2026-01?sort=trending&page=1",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_answers_200_with_html(site: Site, path: str):
    answer = site.client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    assert '<main id="main"' in answer.text
    outline = Outline()
    outline.feed(answer.text)
    assert len(outline.descriptions) == 1 and outline.descriptions[0].strip()  # search snippets
    # headings never skip a level (screen readers navigate by them): h1, then h2, then h3
    steps = zip([0, *outline.levels], outline.levels, strict=False)
    assert all(level <= before + 1 for before, level in steps), outline.levels


class Outline(HTMLParser):
    """A page's heading levels in order, and its meta descriptions."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.descriptions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))
        found = dict(attrs)
        if tag == "meta" and found.get("name") == "description":
            self.descriptions.append(found.get("content") or "")


def test_home_shows_today_sorted_by_upvotes_with_new_badge(site: Site):
    html = site.client.get("/").text
    assert html.index(PLAIN_ID) < html.index(HOSTILE_ID)  # 10 upvotes before 5
    assert "badge-new" in html  # the hostile paper was submitted at NOW
    assert f'href="/daily/{YESTERDAY}"' in html  # previous day and the calendar
    assert "next-day" not in html


def test_home_falls_back_to_the_latest_listing_day_when_today_is_empty(site: Site):
    site.clock.current = site.clock.current.replace(day=20)
    html = site.client.get("/").text
    assert "Nothing listed today yet" in html
    assert PLAIN_ID in html


def test_a_store_holding_the_demo_says_so_and_gives_its_days(site: Site):
    """#17: the demo's last day was shown as if it were today's list."""
    assert "footer-demo" not in site.client.get("/").text
    record_demo(site.store, DemoDays(OLD_DAY, TODAY))
    site.clock.current = site.clock.current.replace(day=20)
    home = site.client.get("/").text
    days = "Mon 5 Jan 2026 to Thu 15 Jan 2026"
    assert f"Daily Papers lists and upvotes from {days}" in home
    assert "Nothing listed today yet" not in home
    assert f"This site holds papertide's bundled demo: the daily lists of {days}." in home
    about = site.client.get("/about").text
    assert 'id="footer-demo"' in about
    assert "demo-note" not in about
    assert "demo-note" not in site.client.get(f"/daily/{YESTERDAY}").text
    # lists newer than the demo came in since: the home page shows them as usual
    record_demo(site.store, DemoDays(OLD_DAY, YESTERDAY))
    home = site.client.get("/").text
    assert "demo-note" not in home
    assert "Nothing listed today yet" in home
    assert "footer-demo" in home


def test_daily_page_links_previous_and_next_listing_days(site: Site):
    html = site.client.get(f"/daily/{YESTERDAY}").text
    assert VISION_ID in html and PLAIN_ID not in html
    assert f'id="previous-day" href="/daily/{OLD_DAY}"' in html
    assert f'id="next-day" href="/daily/{TODAY}"' in html
    assert f'aria-current="date">{YESTERDAY.day}<' in html


def test_daily_page_links_a_previous_day_older_than_its_month(site: Site):
    # the day counts are read with the month and a week before it; an older previous day
    # is asked for on its own
    later = date(2026, 3, 10)
    site.store.add_listing(Listing(later, PLAIN_ID, 0, None, None))
    html = site.client.get(f"/daily/{later}").text
    assert f'id="previous-day" href="/daily/{TODAY}"' in html
    assert 'id="next-day"' not in html
    assert f'id="next-day" href="/daily/{later}"' in site.client.get(f"/daily/{TODAY}").text


def test_daily_newest_sort_puts_the_submitted_paper_first(site: Site):
    html = site.client.get(f"/daily/{TODAY}?sort=newest").text
    assert html.index(HOSTILE_ID) < html.index(PLAIN_ID)


def test_week_and_month_views_gather_their_days(site: Site):
    week = site.client.get("/week/2026-W03").text  # 12..18 January
    assert all(pid in week for pid in (HOSTILE_ID, PLAIN_ID, VISION_ID))
    assert OLD_STYLE_ID not in week
    assert 'href="/week/2026-W02"' in week
    assert 'href="/week/2026-W04"' not in week  # nothing is listed after this week (#12)
    month = site.client.get("/month/2026-01").text
    assert OLD_STYLE_ID in month and 'href="/month/2025-12"' in month


def test_trending_shows_scores_and_filters_by_category(site: Site):
    html = site.client.get("/trending").text
    assert "breakdown" in html and "age_decay" in html
    assert HOSTILE_ID in html and VISION_ID in html
    filtered = site.client.get("/trending?category=cs.CV").text
    assert VISION_ID in filtered and HOSTILE_ID not in filtered


def test_paper_page_shows_links_bibtex_similar_and_breakdown(site: Site):
    html = site.client.get(f"/papers/{HOSTILE_ID}").text
    assert f'href="https://arxiv.org/abs/{HOSTILE_ID}"' in html
    assert f'href="https://arxiv.org/pdf/{HOSTILE_ID}"' in html
    assert 'href="https://github.com/lab/sparse"' in html and "★ 42" in html
    assert 'class="project-link"' not in html and 'href="javascript:' not in html  # javascript:x
    assert "@misc{lovelace2026" in html and 'id="cite-button"' in html
    assert 'href="/authors/Ada%20Lovelace"' in html
    assert "Similar papers" in html and "Trending score" in html


def test_paper_page_offers_similar_papers_in_results_only(site: Site):
    overall = site.client.get(f"/papers/{HOSTILE_ID}").text
    assert "<strong>overall</strong>" in overall
    assert f'href="/papers/{HOSTILE_ID}?similar=result#similar-title"' in overall
    assert "?similar=method" not in overall and "?similar=background" not in overall
    result = site.client.get(f"/papers/{HOSTILE_ID}?similar=result")
    assert result.status_code == 200
    assert "<strong>in result</strong>" in result.text
    assert f'href="/papers/{HOSTILE_ID}#similar-title">overall</a>' in result.text
    for odd in ("method", "background"):  # a facet not offered shows the overall list
        assert (
            "<strong>overall</strong>"
            in site.client.get(f"/papers/{HOSTILE_ID}?similar={odd}").text
        )
    about = site.client.get("/about").text
    assert "similar in their results" in about
    assert "Similar in background or in method is not offered" in about


def test_paper_page_redirects_other_id_forms_to_the_canonical_one(site: Site):
    answer = site.client.get(f"/papers/{PLAIN_ID}v2", follow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["location"] == f"/papers/{PLAIN_ID}"


def test_search_with_an_arxiv_id_opens_the_paper(site: Site):
    answer = site.client.get(f"/search?q=arXiv:{PLAIN_ID}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/papers/{PLAIN_ID}"


def test_search_shows_highlighted_snippets_and_reasons(site: Site):
    html = site.client.get("/search?q=convolutional").text
    assert VISION_ID in html
    assert "<mark>convolutional</mark>" in html
    assert "Why: matched" in html


def test_search_offers_to_submit_an_unknown_arxiv_id(site: Site):
    html = site.client.get("/search?q=2601.88888").text
    assert "not here yet" in html and "/submit?text=2601.88888" in html


def test_author_and_category_pages_list_papers(site: Site):
    author = site.client.get("/authors/Grace%20Hopper").text
    assert VISION_ID in author and "Log in to follow" in author
    category = site.client.get("/categories/hep-th").text
    assert OLD_STYLE_ID in category


def test_about_page_renders_the_trending_documentation(site: Site):
    html = site.client.get("/about").text
    assert 'id="trending"' in html and "<h1" in html


@pytest.mark.parametrize(
    "path",
    [
        "/papers/2601.77777",
        "/papers/not-an-id",
        "/authors/Nobody%20Here",
        "/categories/xx.YY",
        "/no/such/page",
    ],
)
def test_unknown_things_are_404_pages(site: Site, path: str):
    answer = site.client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="error-message"' in answer.text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/daily/2026-13-01", 400, "not a date"),
        ("/daily/yesterday", 400, "a day looks like"),
        ("/daily/0001-01-01", 400, "only years"),
        ("/week/2026-W60", 400, "not an ISO week"),
        ("/month/2026-1", 400, "a month looks like"),
        ("/?sort=random", 400, "sort must be one of"),
        ("/?page=0", 400, "page must be between 1 and"),
        ("/?page=abc", 422, "page:"),
        ("/search?q=x&page=8", 400, "page must be between 1 and 7"),
        ("/trending?category=%3Cscript%3E", 400, "is not a category"),
        ("/search?q=x&from=abcd", 400, "from must be a year"),
        ("/search?q=x&from=2024&to=2020", 400, "reversed"),
        ("/categories/%3Cb%3E", 400, "is not a category"),
    ],
)
def test_bad_parameters_are_400_or_422_pages_with_a_message(
    site: Site, path: str, status: int, message: str
):
    answer = site.client.get(path)
    assert answer.status_code == status
    assert message in answer.text
    assert "<script>" not in answer.text.split("</head>")[1]


def test_paper_page_answers_markdown_when_asked(site: Site):
    answer = site.client.get(f"/papers/{PLAIN_ID}", headers={"Accept": "text/markdown"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/markdown")
    assert "Plain transformers for translation" in answer.text
    html = site.client.get(f"/papers/{PLAIN_ID}")
    assert html.headers["content-type"].startswith("text/html")
    assert "Accept" in html.headers["vary"].split(", ")  # and Accept-Encoding: gzip


def test_api_docs_page_uses_the_vendored_swagger_ui(site: Site):
    html = site.client.get("/docs").text
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js?v=' in html
    assert "cdn" not in html.lower()
    assert site.client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert site.client.get("/openapi.json").json()["info"]["title"] == "papertide"


def test_trending_falls_back_to_the_last_listed_week_when_nothing_is_recent(site: Site):
    site.clock.current = site.clock.current.replace(month=3)  # two months after the listings
    html = site.client.get("/trending").text
    assert 'id="trending-as-of"' in html and "Thu 15 Jan 2026" in html
    assert PLAIN_ID in html and VISION_ID in html and OLD_STYLE_ID not in html
    filtered = site.client.get("/trending?category=cs.CV").text
    assert VISION_ID in filtered and PLAIN_ID not in filtered


@pytest.mark.parametrize(
    ("page", "links"),
    [
        (f"/daily/{TODAY}", [f"/feeds/daily.rss?date={TODAY}", f"/daily/{TODAY}.bib"]),
        ("/trending?category=cs.CL", ["/feeds/trending.atom?category=cs.CL"]),
        ("/search?q=translation", ["/feeds/search.rss?q=translation", "/search.bib?q=translation"]),
        ("/authors/Ada%20Lovelace", ["/feeds/authors/Ada%20Lovelace.rss"]),
        ("/categories/cs.CV", ["/feeds/categories/cs.CV.atom"]),
        (f"/papers/{PLAIN_ID}", [f"/papers/{PLAIN_ID}.bib", f"/papers/{PLAIN_ID}.md"]),
    ],
)
def test_list_pages_link_their_feeds_and_exports(site: Site, page: str, links: list[str]):
    html = site.client.get(page).text
    for link in links:
        assert f'href="{link}"' in html, link
        assert site.client.get(link).status_code == 200, link


def test_trending_api_feeds_and_page_agree_when_listings_stopped(site: Site):
    """#12 defect 1: /trending showed the last listed week while /api/trending and the
    trending feeds returned nothing."""
    site.clock.current = site.clock.current.replace(month=3)
    page = site.client.get("/trending").text
    api = [item["paper"]["id"] for item in site.client.get("/api/trending").json()]
    assert api and all(pid in page for pid in api)
    assert [pid for pid in api if page.index(pid)] == sorted(api, key=page.index)
    for fmt in ("rss", "atom"):
        feed = feedparser.parse(site.client.get(f"/feeds/trending.{fmt}").content)
        assert not feed.bozo
        assert [entry.link.rsplit("/", 1)[1] for entry in feed.entries] == api
    cv = [item["paper"]["id"] for item in site.client.get("/api/trending?category=cs.CV").json()]
    assert cv == [VISION_ID]


def test_home_feed_links_follow_the_latest_list_and_say_how_old_it_is(site: Site):
    """#12 defect 2: the home page pinned its feeds to ?date=<its day>, so a feed reader
    never saw a new day, and "showing the latest list" did not say how old it was."""
    site.clock.current = site.clock.current.replace(month=3)  # 2026-03-15
    home = site.client.get("/").text
    assert "/feeds/daily.rss?date" not in home and "/feeds/daily.atom?date" not in home
    assert 'type="application/rss+xml" title="Daily papers (RSS)" href="/feeds/daily.rss"' in home
    assert "showing the latest list, from Thu 15 Jan 2026 (59 days ago)" in home
    day = site.client.get(f"/daily/{TODAY}").text
    assert f"/feeds/daily.rss?date={TODAY}" in day
    month = site.client.get("/month/2026-01").text
    assert 'href="/month/2025-12"' in month and 'href="/month/2026-02"' not in month


def test_one_submission_on_an_empty_day_does_not_collapse_home_or_trending(site: Site):
    """#12 defect 3: one paper submitted on a day without a list turned / and /trending into
    that one paper; a re-submitted old paper was "new" with its old votes as velocity."""
    extra = [
        Record(
            make_paper(f"2602.{n:02d}{i:03d}", f"Listed paper {i}", "An abstract."),
            Listing(day, f"2602.{n:02d}{i:03d}", 2 + i, None, None, upvotes=i),
        )
        for n, day in enumerate((TODAY, YESTERDAY, OLD_DAY))
        for i in range(10)
    ]
    site.store.write_batch(extra, [])
    site.clock.current = site.clock.current.replace(month=3)  # 2026-03-15
    site.sign_up()
    assert site.post("/submit", {"text": FETCHABLE_ID}).status_code in (200, 303)
    assert site.post("/submit", {"text": OLD_STYLE_ID}).status_code in (200, 303)
    home = site.client.get("/").text
    assert PLAIN_ID in home and HOSTILE_ID in home and "2602.00009" in home
    assert 'href="/daily/2026-03-15"' in home  # the new day is offered, not shown in place
    trending = site.client.get("/trending").text
    assert all(pid in trending for pid in (PLAIN_ID, VISION_ID, "2602.00009", FETCHABLE_ID))
    scores = {
        item["paper"]["id"]: item["trending"]["parts"]
        for item in site.client.get("/api/trending").json()
    }
    assert scores[OLD_STYLE_ID]["velocity"] == pytest.approx(0.0, abs=1e-9)
    newest = site.client.get("/daily/2026-03-15").text
    assert newest.count("badge-new") == 1  # the fetched paper; the re-submitted one is not new


def test_search_pages_say_more_follow_and_link_the_next_page(site: Site, monkeypatch):
    """Search stopped at its first 30 hits with no way on, and counted them as the total (#12)."""
    monkeypatch.setattr(search_pages, "SEARCH_LIMIT", 1)
    first = site.client.get("/search?q=attention").text
    assert "Results 1\u20131, more follow" in first
    assert 'rel="next" href="/search?q=attention&amp;page=2"' in first
    second = site.client.get("/search?q=attention&page=2").text
    assert "Results 2\u20132" in second and "<span>Page 2</span>" in second
    assert 'rel="prev" href="/search?q=attention"' in second
    assert site.client.get("/search?q=attention&page=0").status_code == 400


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/?p=1&sort=newest", "/?sort=newest&page=2"),
        (f"/daily/{TODAY}?p=0", f"/daily/{TODAY}"),
        ("/week/2026-W11?sort=trending&p=2", "/week/2026-W11?sort=trending&page=3"),
        ("/month/2026-03?p=1", "/month/2026-03?page=2"),
        ("/search?q=attention&p=1&cat=cs.CL", "/search?q=attention&cat=cs.CL&page=2"),
        ("/authors/Ada%20Lovelace?p=3", "/authors/Ada%20Lovelace?page=4"),
        ("/categories/cs.CV?p=1", "/categories/cs.CV?page=2"),
        ("/month/2026-03?p=%C2%B2", "/month/2026-03?page=%C2%B2"),  # then a 422 page
    ],
)
def test_old_page_links_move_permanently_to_page_numbers_from_1(site: Site, old: str, new: str):
    """`?p=1` was labelled "Page 2" (#12): pages now count from 1 in the URL as in the label,
    and a bookmark of before lands on the same page."""
    moved = site.client.get(old, follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == new


def test_every_pager_links_the_page_its_label_names(site: Site, monkeypatch):
    monkeypatch.setattr(search_pages, "PAGE_SIZE", 1)
    first = site.client.get("/categories/cs.CL").text
    assert "<span>Page 1</span>" in first
    assert 'rel="next" href="/categories/cs.CL?page=2"' in first
    second = site.client.get("/categories/cs.CL?page=2").text
    assert "<span>Page 2</span>" in second
    assert 'rel="prev" href="/categories/cs.CL"' in second


def test_search_that_matches_nothing_says_so(site: Site):
    html = site.client.get("/search?q=cat:zz.ZZ").text
    assert "Nothing matches this search." in html
    gibberish = site.client.get("/search", params={"q": "qwxzv plorkt"}).text
    assert "Nothing matches this search." in gibberish  # not the embedding's 30 neighbours (#12)
    assert site.client.get("/api/papers/search", params={"q": "qwxzv plorkt"}).json() == []
