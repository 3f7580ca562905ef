import textwrap
from datetime import UTC, date, datetime

from papertide.agents.shape import (
    authors_text,
    daily_out,
    daily_text,
    hit_out,
    paper_links,
    paper_out,
    paper_text,
    paper_url,
    search_out,
    search_text,
    similar_out,
    similar_text,
    trending_out,
    trending_text,
)
from papertide.index.query import parse_query
from papertide.models import Link, Listing, Organization, Paper, PaperSummary
from papertide.rank.extras import PaperExtrasShown
from papertide.rank.trending import TrendingScore
from papertide.search.hybrid import Part
from papertide.search.service import SearchHit, SearchPage, SearchResult
from papertide.search.snippet import Snippet

PAPER = Paper(
    id="2501.01234",
    title="Sparse attention, revisited",
    abstract="We revisit sparse attention. " * 10,
    authors=("Ada Lovelace", "Alan Turing"),
    categories=("cs.CL", "cs.LG"),
    version=2,
    doi="10.1000/xyz",
    published=datetime(2025, 1, 2, 15, 30, tzinfo=UTC),
    links=(Link("code", "https://github.com/lab/sparse"),),
)
GENERATED = Paper(id="pt-0123456789abcdef", title="No arXiv id", abstract="Text.")


def a_hit(paper: Paper = PAPER, score: float = 0.0327869) -> SearchHit:
    return SearchHit(
        paper, score, ("matched sparse in title", "BM25 rank 1 (score 3.10)"),
        Snippet("We revisit sparse attention.", ((11, 17),)), {"bm25": Part(1, 3.1)},
    )  # fmt: skip


def test_hit_out_keeps_what_an_agent_needs_to_cite_and_judge_a_hit():
    assert hit_out(2, a_hit()) == {
        "rank": 2,
        "id": "2501.01234",
        "title": "Sparse attention, revisited",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.CL", "cs.LG"],
        "published": "2025-01-02",
        "score": 0.032787,
        "reasons": ["matched sparse in title", "BM25 rank 1 (score 3.10)"],
        "snippet": "We revisit sparse attention.",
        "url": "https://arxiv.org/abs/2501.01234",
    }


def test_paper_url_and_links_leave_arxiv_out_for_generated_ids():
    assert paper_url(GENERATED.id) is None
    assert paper_links(GENERATED) == []
    no_categories = paper_text(paper_out(GENERATED, [], 0, 0, PaperExtrasShown(), []))
    assert no_categories.startswith("pt-0123456789abcdef\nNo arXiv id\n")
    assert paper_links(PAPER) == [
        {"kind": "arxiv", "url": "https://arxiv.org/abs/2501.01234"},
        {"kind": "pdf", "url": "https://arxiv.org/pdf/2501.01234"},
        {"kind": "doi", "url": "https://doi.org/10.1000/xyz"},
        {"kind": "code", "url": "https://github.com/lab/sparse"},
    ]


def test_search_out_says_how_the_query_was_understood_and_notes_problems():
    result = SearchResult(parse_query('sparse "attention'), [a_hit(), a_hit(GENERATED, 0.01)])
    out = search_out(SearchPage(result, page=0, size=2, more=False))
    assert out["understood_as"] == "any of sparse, attention"
    assert out["notes"] and "quote" in out["notes"][0]
    assert [h["rank"] for h in out["hits"]] == [1, 2]
    text = search_text(out).splitlines()
    assert text[0] == "Results 1-2 for any of sparse, attention"
    assert text[1].startswith("note: ")
    assert text[2] == "  1. 2501.01234  Sparse attention, revisited"
    assert text[4] == "     score 0.03279: matched sparse in title; BM25 rank 1 (score 3.10)"


def test_similar_out_names_the_paper_it_started_from():
    out = similar_out(PAPER, [a_hit(GENERATED)])
    assert (out["paper_id"], out["title"]) == ("2501.01234", "Sparse attention, revisited")
    assert out["hits"][0]["url"] is None
    assert similar_text(out).startswith(
        "1 papers similar to 2501.01234 (Sparse attention, revisited)\n  1. pt-0123456789abcdef"
    )


def test_daily_out_takes_upvotes_and_comments_from_the_store_counts():
    rows = [(Listing(date(2026, 3, 10), PAPER.id, 0, upvotes=7, num_comments=1), PAPER)]
    out = daily_out(date(2026, 3, 10), None, rows, 4, {PAPER.id: 9}, {PAPER.id: 2})
    assert out["date"] == "2026-03-10" and out["total"] == 4
    [paper] = out["papers"]
    assert (paper["position"], paper["upvotes"], paper["comments"]) == (1, 9, 2)
    assert paper["hf_comments"] == 1  # the listing's, counted apart
    assert "Daily papers of 2026-03-10: 1 of 4 papers" in daily_text(out)
    assert "[9 upvotes, 2 comments]" in daily_text(out)


def test_daily_text_says_when_it_shows_another_day_or_nothing():
    shown = daily_out(date(2026, 3, 9), date(2026, 3, 10), [], 0, {}, {})
    assert daily_text(shown).startswith("No list for 2026-03-10; showing the latest day before it.")
    assert daily_text(daily_out(None, None, [], 0, {}, {})) == "No daily listings."


def test_trending_out_keeps_the_breakdown_in_order_and_skips_unknown_papers():
    scores = [
        TrendingScore("gone", 9.0, (("upvotes", 9.0),)),
        TrendingScore(PAPER.id, 1.23456789, (("velocity", 1.0), ("age", 0.23456789))),
    ]
    out = trending_out(scores, {PAPER.id: PAPER}, {PAPER.id: 12}, "cs.CL", 7)
    assert out["category"] == "cs.CL" and out["window_days"] == 7
    [paper] = out["papers"]
    assert paper["rank"] == 1 and paper["score"] == 1.234568
    assert list(paper["breakdown"].items()) == [("velocity", 1.0), ("age", 0.234568)]
    text = trending_text(out)
    assert text.startswith("Trending in cs.CL over the last 7 days: 1")
    assert "score 1.235 (velocity 1, age 0.235) · 12 upvotes" in text
    empty = trending_out([], {}, {}, None, 7)
    assert trending_text(empty) == "No papers were listed in the last 7 days."


def test_paper_out_lists_every_listing_and_the_text_has_the_abstract():
    listings = [Listing(date(2026, 3, 10), PAPER.id, 2, upvotes=5, num_comments=2)]
    out = paper_out(PAPER, listings, 6, 3, PaperExtrasShown(), [])
    assert out["listings"] == [
        {"date": "2026-03-10", "position": 3, "upvotes": 5, "comments": 2, "submitted_by": None}
    ]
    assert (out["version"], out["published"]) == (2, "2025-01-02T15:30:00+00:00")
    assert (out["upvotes"], out["comments"]) == (6, 3)
    text = paper_text(out).splitlines()
    assert text[:2] == ["2501.01234v2  [cs.CL, cs.LG]", "Sparse attention, revisited"]
    assert "Upvotes:   6 · 3 comments" in text and "Listed:    2026-03-10 #3 · 5 upvotes" in text
    assert "Code:      https://github.com/lab/sparse" in text
    assert "PDF:       https://arxiv.org/pdf/2501.01234" in text
    assert paper_text(out).split("\n\n")[-1] == textwrap.fill(PAPER.abstract, 100)


def test_paper_out_carries_the_summary_with_its_source_organisations_and_media():
    summary = PaperSummary(PAPER.id, "papertide", "We revisit sparse attention.", ("sparse",))
    shown = PaperExtrasShown(summary, (Organization(1, "lab", "The Lab"),))
    out = paper_out(PAPER, [], 0, 0, shown, ["https://example.org/a.mp4"])
    assert out["summary"] == {
        "tldr": "We revisit sparse attention.",
        "keywords": ["sparse"],
        "source": "papertide",
        "label": "Summary by papertide (extractive)",
    }
    assert out["organizations"] == [{"slug": "lab", "name": "The Lab"}]
    text = paper_text(out).splitlines()
    assert "Org:       The Lab" in text and "Media:     https://example.org/a.mp4" in text
    assert "Summary by papertide (extractive):" in text
    assert "TL;DR: We revisit sparse attention." in text and "Keywords: sparse" in text
    assert "TL;DR" not in paper_text(paper_out(PAPER, [], 0, 0, PaperExtrasShown(), []))


def test_authors_text_shortens_long_author_lists():
    assert authors_text([]) == "—"
    assert authors_text(["A", "B"]) == "A, B"
    assert authors_text([f"A{n}" for n in range(8)]) == "A0, A1, A2, A3, A4 et al. (8 authors)"
