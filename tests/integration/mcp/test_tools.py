"""The agent tools in process: an MCP client connected to create_mcp_server over a real store."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from papertide.agents.server import create_mcp_server
from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.models import Listing, PaperSummary
from papertide.store.base import Store
from papertide.wiring import build_agent_services

from .conftest import EARLIER_DAY, LATEST_DAY, LATEST_LIST

Calls = Callable[[str, dict[str, Any]], Awaitable[CallToolResult]]


@pytest.fixture
def run(agent_db: Path, store: Store, clock: FixedClock) -> Callable[..., Any]:
    """Run `scenario(call)` against a fresh server on the store; return what it returns."""
    services = build_agent_services(Settings(db=str(agent_db)), store, clock)

    def go(scenario: Callable[[Calls], Awaitable[Any]]) -> Any:
        async def main() -> Any:
            async with Client(create_mcp_server(services)) as client:
                return await scenario(client.call_tool)

        return anyio.run(main)

    return go


def call(run: Callable[..., Any], name: str, **arguments: Any) -> CallToolResult:
    async def scenario(call_tool: Calls) -> CallToolResult:
        return await call_tool(name, arguments)

    result: CallToolResult = run(scenario)
    return result


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_search_returns_explained_hits_as_json_and_text(run):
    result = call(run, "search", query="wind turbines energy prediction", limit=3)
    assert not result.is_error
    out = result.structured_content
    assert out["understood_as"] == "any of wind, turbines, energy, prediction"
    top = out["hits"][0]
    assert top["id"] == "2507.00105" and top["rank"] == 1
    assert top["url"] == "https://arxiv.org/abs/2507.00105"
    assert any(reason.startswith("meaning: rank") for reason in top["reasons"])
    assert top["snippet"] and top["authors"]
    assert len(out["hits"]) == 3
    text = text_of(result)
    assert text.startswith("Results 1-3 for any of wind")
    assert out["page"] == 0 and out["more"]
    following = call(run, "search", query="wind turbines energy prediction", limit=3, page=1)
    assert [hit["rank"] for hit in following.structured_content["hits"]] == [4, 5, 6]
    assert not {h["id"] for h in following.structured_content["hits"]} & {
        h["id"] for h in out["hits"]
    }
    assert "  1. 2507.00105  Graph Neural Networks in Wind Power Forecasting" in text


def test_search_reports_query_notes_and_opens_an_arxiv_url(run):
    noted = call(run, "search", query='diffusion "unbalanced').structured_content
    assert "unbalanced quote" in " ".join(noted["notes"])
    opened = call(run, "search", query="https://arxiv.org/abs/2507.00105v2").structured_content
    assert [hit["id"] for hit in opened["hits"]] == ["2507.00105"]


def test_search_for_words_no_paper_has_says_no_paper_matches(run):
    """Gibberish answered with the embedding's nearest neighbours as if they matched (#12)."""
    result = call(run, "search", query="qwxzv plorkt")
    assert not result.is_error
    assert result.structured_content["hits"] == []
    assert text_of(result) == "No paper matches any of qwxzv, plorkt"


def test_search_with_nothing_to_search_is_a_tool_error(run):
    result = call(run, "search", query="   ")
    assert result.is_error
    assert text_of(result) == (
        "Error executing tool search: the query has nothing to search for; give some words"
    )


def test_similar_accepts_an_arxiv_url_and_leaves_the_paper_out(run):
    result = call(run, "similar", paper_id="https://arxiv.org/pdf/2601.22777v1", limit=5)
    out = result.structured_content
    assert out["paper_id"] == "2601.22777"
    ids = [hit["id"] for hit in out["hits"]]
    assert len(ids) == 5 and "2601.22777" not in ids
    assert text_of(result).startswith("5 papers similar to 2601.22777 (")


def test_similar_in_a_facet_reranks_by_the_facet_sentences(run):
    result = call(run, "similar", paper_id="2601.22777", limit=5, facet="result")
    assert not result.is_error, text_of(result)
    ids = [hit["id"] for hit in result.structured_content["hits"]]
    assert len(ids) == 5 and "2601.22777" not in ids
    for facet in ("method", "background"):  # not offered (FACET_WEIGHTS)
        assert call(run, "similar", paper_id="2601.22777", facet=facet).is_error


def test_similar_and_paper_refuse_unknown_and_malformed_ids(run):
    unknown = call(run, "similar", paper_id="2601.99999")
    assert unknown.is_error
    assert text_of(unknown) == "Error executing tool similar: no paper 2601.99999 in the store"
    malformed = call(run, "paper", paper_id="not an id")
    assert malformed.is_error
    assert "not an arXiv id or URL: 'not an id'" in text_of(malformed)


def test_daily_defaults_to_the_latest_day_in_page_order_with_upvotes(run):
    result = call(run, "daily")
    out = result.structured_content
    assert out["date"] == LATEST_DAY.isoformat() and out["requested_date"] is None
    assert out["total"] == len(LATEST_LIST)
    got = [(p["id"], p["upvotes"], p["hf_comments"]) for p in out["papers"]]
    assert got == LATEST_LIST
    assert {p["comments"] for p in out["papers"]} == {0}  # none made here
    assert [p["position"] for p in out["papers"]] == [1, 2, 3, 4, 5]
    text = text_of(result)
    assert f"Daily papers of {LATEST_DAY}: 5 papers" in text
    assert "Minglei Shi, Ziyang Yuan, Haotian Yang, Xintao Wang, Mingwu Zheng et al. (13" in text


def test_daily_of_a_day_without_a_list_shows_the_latest_before_it(run):
    between = LATEST_DAY.fromordinal(LATEST_DAY.toordinal() - 1).isoformat()
    result = call(run, "daily", date=between, limit=2)
    out = result.structured_content
    assert out["date"] == EARLIER_DAY.isoformat() and out["requested_date"] == between
    assert [p["id"] for p in out["papers"]] == ["2601.22777", "2506.10633"]
    assert out["total"] == 3
    text = text_of(result)
    assert f"No list for {between}; showing the latest day before it." in text
    assert "2 of 3 papers" in text


def test_daily_before_any_listing_is_empty_and_says_so(run):
    result = call(run, "daily", date="2001-01-01")
    assert not result.is_error
    assert result.structured_content == {
        "date": None, "requested_date": "2001-01-01", "total": 0, "papers": []
    }  # fmt: skip
    assert text_of(result) == "No daily listings on or before 2001-01-01."


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30", "20260101", "2026-1-5"])
def test_daily_refuses_a_bad_date(run, bad):
    result = call(run, "daily", date=bad)
    assert result.is_error
    assert text_of(result) == (
        f"Error executing tool daily: date must be a real day as YYYY-MM-DD, not {bad!r}"
    )


def test_daily_and_paper_count_local_votes_on_top_of_imported_ones(run, store):
    user = store.create_user("reader", None, "hash")
    store.set_vote(user.id, "2506.07338", True)
    daily = call(run, "daily").structured_content
    assert [p["upvotes"] for p in daily["papers"] if p["id"] == "2506.07338"] == [1]
    paper = call(run, "paper", paper_id="2507.00105").structured_content
    assert paper["upvotes"] == 40


def test_paper_gives_full_details_links_and_listings(run):
    result = call(run, "paper", paper_id="arXiv:2507.00105v1")
    out = result.structured_content
    assert out["id"] == "2507.00105"
    assert out["title"] == "Graph Neural Networks in Wind Power Forecasting"
    assert out["abstract"] and out["authors"] and out["categories"]
    assert {"kind": "pdf", "url": "https://arxiv.org/pdf/2507.00105"} in out["links"]
    assert out["upvotes"] == 40 and out["comments"] == 0  # none made here
    assert max(listing["comments"] for listing in out["listings"]) == 4  # Hugging Face's
    assert [(x["date"], x["position"]) for x in out["listings"]] == [
        (LATEST_DAY.isoformat(), 1),
        (EARLIER_DAY.isoformat(), 3),
    ]
    text = text_of(result)
    assert "Graph Neural Networks in Wind Power Forecasting" in text
    assert "Upvotes:   40 · 0 comments" in text


def test_paper_gives_the_summary_to_show_with_its_source_organisations_and_media(run, store):
    assert call(run, "paper", paper_id="2507.00105").structured_content["summary"] is None
    mine = PaperSummary("2507.00105", "papertide", "Graphs forecast wind.", ("graphs",))
    store.put_summaries([mine])
    ours = call(run, "paper", paper_id="2507.00105").structured_content["summary"]
    assert (ours["tldr"], ours["source"]) == ("Graphs forecast wind.", "papertide")
    assert ours["label"] == "Summary by papertide (extractive)"
    hf = PaperSummary("2507.00105", "huggingface", "GNNs forecast wind power.", ("GNN", "wind"))
    store.put_summaries([hf])
    store.set_paper_org("2507.00105", "windlab", "Wind Lab & Co", "huggingface")
    store.put_media("2507.00105", ["https://example.org/wind.mp4"])
    result = call(run, "paper", paper_id="2507.00105")
    out = result.structured_content
    assert out["summary"] == {
        "tldr": "GNNs forecast wind power.",
        "keywords": ["GNN", "wind"],
        "source": "huggingface",
        "label": "Summary from Hugging Face",
    }
    assert out["organizations"] == [{"slug": "windlab", "name": "Wind Lab & Co"}]
    assert out["media"] == ["https://example.org/wind.mp4"]
    text = text_of(result).splitlines()
    assert "Summary from Hugging Face:" in text and "TL;DR: GNNs forecast wind power." in text
    assert "Org:       Wind Lab & Co" in text and "Keywords: GNN, wind" in text


def test_trending_ranks_listed_papers_with_a_score_breakdown(run):
    result = call(run, "trending", limit=3)
    out = result.structured_content
    assert out["category"] is None and out["window_days"] >= 1
    assert 1 <= len(out["papers"]) <= 3
    top = out["papers"][0]
    assert top["breakdown"] and top["score"] > 0
    scores = [p["score"] for p in out["papers"]]
    assert scores == sorted(scores, reverse=True)
    assert "score" in text_of(result) and top["id"] in text_of(result)


def test_trending_in_a_category_keeps_only_that_category(run, store):
    listed = store.get_paper("2505.22618")
    assert listed is not None and listed.primary_category == "cs.CL"
    out = call(run, "trending", category=" cs.CL ").structured_content
    assert out["category"] == "cs.CL"
    assert out["papers"] and {p["categories"][0] for p in out["papers"]} == {"cs.CL"}
    assert call(run, "trending", category="no.such").structured_content["papers"] == []


def test_out_of_range_limits_are_tool_errors_and_the_server_keeps_serving(run):
    async def scenario(call_tool: Calls) -> list[CallToolResult]:
        return [
            await call_tool("search", {"query": "graph", "limit": 0}),
            await call_tool("daily", {"limit": 10_000}),
            await call_tool("nonexistent", {}),
            await call_tool("paper", {"paper_id": "2507.00105"}),
        ]

    too_small, too_large, unknown, fine = run(scenario)
    assert too_small.is_error and "greater than or equal to 1" in text_of(too_small)
    assert too_large.is_error and "less than or equal to 200" in text_of(too_large)
    assert unknown.is_error and "nonexistent" in text_of(unknown)
    assert not fine.is_error


def test_daily_shows_who_submitted_a_paper_listed_today(run, store, clock):
    today = clock.now().date().isoformat()
    store.add_listing(Listing(clock.now().date(), "2506.11127", 0, submitted_by="reader"))
    # one submission: today's list is still filling, so the default daily stays on the last
    # full list (#12); today's is one `date` away
    assert call(run, "daily").structured_content["date"] != today
    out = call(run, "daily", date=today).structured_content
    assert out["date"] == today
    assert out["papers"][0]["submitted_by"] == "reader"


def test_trending_when_listings_stopped_returns_what_the_trending_page_shows(run, clock):
    """#12 defect 1: with no listing in the last week the page showed the last listed week
    ("as it stood on ...") while the MCP tool returned nothing."""
    clock.current += timedelta(days=60)
    out = call(run, "trending", limit=20).structured_content
    ids = [paper["id"] for paper in out["papers"]]
    assert set(ids) >= {paper_id for paper_id, _, _ in LATEST_LIST}


def test_organization_tool_finds_an_org_by_slug_or_name_with_its_newest_papers(run, store):
    store.set_paper_org("2507.00105", "eth-zurich", "ETH Zürich", "huggingface")
    store.set_paper_org("2505.22618", "eth-zurich", "ETH Zürich", "curator:ann")
    by_name = call(run, "organization", org="ETH Zürich", limit=1)
    assert not by_name.is_error
    out = by_name.structured_content
    assert (out["slug"], out["name"], out["total"]) == ("eth-zurich", "ETH Zürich", 2)
    assert [paper["id"] for paper in out["papers"]] == [
        p.id for p in store.papers_of_org("eth-zurich", 1)
    ]
    assert "ETH Zürich (organisation eth-zurich): 1 newest of 2 papers" in text_of(by_name)
    by_slug = call(run, "organization", org="eth-zurich")
    assert len(by_slug.structured_content["papers"]) == 2
    missing = call(run, "organization", org="<script>No Such Lab</script>")
    assert missing.is_error and "no organisation" in text_of(missing)
