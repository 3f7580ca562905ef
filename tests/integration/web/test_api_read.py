"""The read side of the JSON API over a real store: Hugging Face shapes, periods, sorting,
paging, search, similar, trending and errors."""

from __future__ import annotations

import copy
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from huggingface_hub.hf_api import PaperInfo
from huggingface_hub.utils._datetime import parse_datetime

from papertide.web.api.schemas import OUR_ITEM_KEYS, OUR_PAPER_KEYS
from tests.integration.web.api_world import (
    DATA,
    HF_DAY,
    HOSTILE_ID,
    HOSTILE_TITLE,
    NOT_LISTED_ID,
    OLD_STYLE_ID,
    OUR_SUMMARY,
    TODAY,
    World,
    build_app,
    build_world,
)

HF_SAMPLES = ("2024-05-27", "2025-01-15", "2025-06-18", "2026-03-10", "2026-08-21")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


def hf_items(day: str) -> list[dict[str, Any]]:
    with gzip.open(DATA / f"{day}.json.gz") as recorded:
        items: list[dict[str, Any]] = json.loads(recorded.read())
    return items


def hf_keys() -> tuple[set[str], set[str], set[str], set[str]]:
    """(item keys in any sample, in every sample, paper keys in any, in every)."""
    item_any: set[str] = set()
    paper_any: set[str] = set()
    item_all: set[str] | None = None
    paper_all: set[str] | None = None
    for day in HF_SAMPLES:
        items = hf_items(day)
        keys = set().union(*(set(i) for i in items))
        paper_keys = set().union(*(set(i["paper"]) for i in items))
        item_any |= keys
        paper_any |= paper_keys
        item_all = keys if item_all is None else item_all & keys
        paper_all = paper_keys if paper_all is None else paper_all & paper_keys
    assert item_all is not None and paper_all is not None
    return item_any, item_all, paper_any, paper_all


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["paper"]["id"] for item in items]


def test_daily_papers_items_have_the_hugging_face_keys(client):
    item_any, item_all, paper_any, paper_all = hf_keys()
    items = client.get("/api/daily_papers", params={"date": str(HF_DAY)}).json()
    assert items
    for item in items:
        assert item_all <= set(item) <= item_any | OUR_ITEM_KEYS
        assert paper_all <= set(item["paper"]) <= paper_any | OUR_PAPER_KEYS
        assert {"submittedBy", "summary", "isAuthorParticipating"} <= set(item)
        submitter_keys = set(hf_items("2026-08-21")[0]["paper"]["submittedOnDailyBy"])
        assert set(item["submittedBy"]) <= submitter_keys
        assert set(item["paper"]["authors"][0]) <= set(
            hf_items(str(HF_DAY))[0]["paper"]["authors"][0]
        )


def test_daily_papers_items_parse_with_the_hugging_face_client(client):
    items = client.get("/api/daily_papers", params={"date": str(HF_DAY)}).json()
    recorded = {item["paper"]["id"]: item for item in hf_items(str(HF_DAY))}
    for item in items:
        theirs = PaperInfo(**copy.deepcopy(recorded[item["paper"]["id"]]))
        ours = PaperInfo(**copy.deepcopy(item))
        assert ours.id == theirs.id
        assert ours.title == theirs.title
        assert ours.upvotes == recorded[ours.id]["paper"]["upvotes"]  # 0 too, not None
        assert ours.comments == 0  # numComments counts comments made here: none yet
        assert [a.name for a in ours.authors or []] == [a.name for a in theirs.authors or []]
        assert ours.published_at is not None
        # the client reads these at the item's top level, where Hugging Face leaves them out
        assert ours.github_repo == item["paper"].get("githubRepo")
        assert ours.upvotes == item["paper"]["upvotes"]
        assert ours.submitted_at is not None
        assert ours.submitted_at == parse_datetime(item["paper"]["submittedOnDailyAt"])
        assert ours.submitted_by is not None


def test_daily_papers_of_a_day_keep_the_recorded_order_and_counts(client):
    response = client.get("/api/daily_papers", params={"date": str(HF_DAY), "limit": 100})
    assert response.status_code == 200
    recorded = hf_items(str(HF_DAY))
    assert ids(response.json()) == [item["paper"]["id"] for item in recorded]
    assert response.headers["X-Total-Count"] == str(len(recorded))
    first = response.json()[0]
    assert first["paper"]["upvotes"] == recorded[0]["paper"]["upvotes"]
    assert first["numComments"] == 0  # comments made here; Hugging Face's stay there
    assert first["paper"]["githubRepo"] == recorded[0]["paper"]["githubRepo"]
    assert first["paper"]["submittedOnDailyAt"] == recorded[0]["paper"]["submittedOnDailyAt"]


def test_daily_papers_default_to_the_daily_and_not_a_day_still_filling(client):
    """Today's two papers are few next to the recorded day's list: the default answer is the
    daily the pages show (rank/listings.py), today's stays one `date` away (#12)."""
    default = client.get("/api/daily_papers", params={"limit": 100}).json()
    assert ids(default) == ids(
        client.get("/api/daily_papers", params={"date": str(HF_DAY), "limit": 100}).json()
    )
    items = client.get("/api/daily_papers", params={"date": str(TODAY)}).json()
    assert set(ids(items)) == {HOSTILE_ID, OLD_STYLE_ID}
    assert ids(items) == [HOSTILE_ID, OLD_STYLE_ID]  # 3 upvotes before 1
    hostile = items[0]
    assert hostile["title"] == HOSTILE_TITLE  # JSON carries text as written
    assert hostile["submittedBy"]["name"] == "mallory"
    assert "submittedBy" not in items[1]  # HF leaves absent submitters out
    assert items[1]["paper"]["categories"] == ["hep-th"]


def test_daily_papers_pages_partition_the_list(client):
    params = {"date": str(HF_DAY), "limit": 10}
    pages = [client.get("/api/daily_papers", params={**params, "p": p}).json() for p in range(4)]
    full = client.get("/api/daily_papers", params={"date": str(HF_DAY), "limit": 100}).json()
    assert [len(page) for page in pages] == [10, 10, 8, 0]
    assert [pid for page in pages for pid in ids(page)] == ids(full)


@pytest.mark.parametrize("period", [{"week": "2026-W11"}, {"month": "2026-03"}])
def test_daily_papers_of_a_week_or_month_hold_every_listed_day(client, period):
    response = client.get("/api/daily_papers", params={**period, "limit": 100})
    assert response.status_code == 200
    found = ids(response.json())
    assert len(found) == len(set(found)) == 30
    assert {HOSTILE_ID, OLD_STYLE_ID} <= set(found)
    upvotes = [item["paper"]["upvotes"] for item in response.json()]
    assert upvotes == sorted(upvotes, reverse=True)


def test_daily_papers_of_an_empty_period_are_an_empty_list(client):
    for params in ({"date": "2020-01-01"}, {"week": "2020-W01"}, {"month": "1999-12"}):
        response = client.get("/api/daily_papers", params=params)
        assert response.status_code == 200
        assert response.json() == []


def test_daily_papers_sort_by_submission_time_and_trending(client):
    newest = client.get("/api/daily_papers", params={"week": "2026-W11", "sort": "publishedAt"})
    assert ids(newest.json())[0] == HOSTILE_ID  # submitted today at noon
    times = [i["paper"]["submittedOnDailyAt"] for i in newest.json()]
    assert times == sorted(times, reverse=True)
    trending = client.get("/api/daily_papers", params={"week": "2026-W11", "sort": "trending"})
    assert trending.status_code == 200
    assert set(ids(trending.json())) == set(ids(newest.json()))


def test_daily_papers_filter_by_submitter(client):
    items = client.get("/api/daily_papers", params={"date": str(HF_DAY), "submitter": "HBX"})
    assert [item["submittedBy"]["name"] for item in items.json()] == ["hbx"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"date": "26-03-10"}, "date"),
        ({"week": "2026-W54"}, "week"),
        ({"week": "2026-W00"}, "week"),
        ({"month": "2026-13"}, "month"),
        ({"month": "0000-01"}, "month"),
        ({"date": "2026-03-10", "week": "2026-W11"}, "only one"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"p": -1}, "p"),
        ({"sort": "random"}, "sort"),
        ({"submitter": "x" * 101}, "submitter"),
    ],
)
def test_daily_papers_refuse_bad_parameters_with_a_message(client, params, field):
    response = client.get("/api/daily_papers", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert field in response.json()["error"]


def test_paper_detail_has_the_paper_shape_and_counts(client):
    _, _, paper_any, paper_all = hf_keys()
    response = client.get("/api/papers/2603.07660v3")  # a version suffix is ignored
    assert response.status_code == 200
    paper = response.json()
    assert paper_all <= set(paper) <= paper_any | OUR_PAPER_KEYS
    recorded = hf_items(str(HF_DAY))[0]
    assert paper["id"] == "2603.07660"
    assert paper["upvotes"] == recorded["paper"]["upvotes"]
    assert paper["numComments"] == 0  # comments made here; Hugging Face's stay there
    assert paper["githubStars"] == recorded["paper"]["githubStars"]
    assert PaperInfo(**copy.deepcopy(paper)).title == recorded["title"]


def test_paper_detail_of_an_old_style_id_and_of_an_unlisted_paper(client):
    old = client.get(f"/api/papers/{OLD_STYLE_ID}").json()
    assert old["id"] == OLD_STYLE_ID
    assert old["numComments"] == 0
    unlisted = client.get(f"/api/papers/{NOT_LISTED_ID}").json()
    assert "submittedOnDailyAt" not in unlisted
    assert unlisted["upvotes"] == 0


@pytest.mark.parametrize("path", ["2601.99999", "no-such-paper", "%00", "a/b/c", "2601.99999/x"])
def test_paper_detail_of_an_unknown_id_is_a_json_404(client, path):
    response = client.get(f"/api/papers/{path}")
    assert response.status_code == 404
    assert "error" in response.json()


def test_search_answers_hf_items_with_score_and_reasons(client):
    response = client.get("/api/papers/search", params={"q": "transformers attention"})
    assert response.status_code == 200
    items = response.json()
    assert HOSTILE_ID in ids(items)
    for item in items:
        assert isinstance(item["score"], float)
        assert item["reasons"]
        assert item["paper"]["id"]
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert PaperInfo(**copy.deepcopy(items[0])).id == items[0]["paper"]["id"]


def test_search_by_arxiv_id_and_odd_queries_never_fail(client):
    by_id = client.get("/api/papers/search", params={"q": f"arXiv:{OLD_STYLE_ID}"}).json()
    assert ids(by_id) == [OLD_STYLE_ID]
    for q in ["", '"unbalanced', "\x00\x07", "AND OR NEAR(", "-", "author:", "é" * 500]:
        response = client.get("/api/papers/search", params={"q": q, "limit": 5})
        assert response.status_code == 200, q
        assert len(response.json()) <= 5
    too_long = client.get("/api/papers/search", params={"q": "x" * 2001})
    assert too_long.status_code == 422


def test_similar_papers_exclude_the_paper_itself(client):
    response = client.get(f"/api/papers/{HOSTILE_ID}/similar", params={"limit": 5})
    assert response.status_code == 200
    found = ids(response.json())
    assert 0 < len(found) <= 5
    assert HOSTILE_ID not in found
    assert client.get(f"/api/papers/{OLD_STYLE_ID}/similar").status_code == 200
    missing = client.get("/api/papers/2601.99999/similar")
    assert missing.status_code == 404
    assert "error" in missing.json()


def test_similar_papers_in_a_facet(client):
    response = client.get(f"/api/papers/{HOSTILE_ID}/similar", params={"facet": "result"})
    assert response.status_code == 200
    hits = response.json()
    assert hits and HOSTILE_ID not in ids(hits)
    assert any(r.startswith("facet sentences: rank") for hit in hits for r in hit["reasons"])
    not_offered = client.get(f"/api/papers/{HOSTILE_ID}/similar", params={"facet": "method"})
    assert not_offered.status_code == 422


def test_trending_items_carry_their_score_breakdown(client):
    response = client.get("/api/trending", params={"limit": 5})
    assert response.status_code == 200
    items = response.json()
    assert 0 < len(items) <= 5
    for item in items:
        assert item["trending"]["score"] >= 0
        assert set(item["trending"]["parts"]) >= {"votes", "age_decay"}
    scores = [item["trending"]["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    only_hep = client.get("/api/trending", params={"category": "hep-th"}).json()
    assert ids(only_hep) == [OLD_STYLE_ID]
    assert client.get("/api/trending", params={"days": 0}).status_code == 422


def test_comments_of_a_paper_start_empty_and_404_for_unknown(client):
    assert client.get(f"/api/papers/{HOSTILE_ID}/comments").json() == []
    assert client.get("/api/papers/2601.99999/comments").status_code == 404


def test_openapi_documents_every_api_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/daily_papers",
        "/api/papers/search",
        "/api/papers/{paper_id}",
        "/api/papers/{paper_id}/similar",
        "/api/papers/{paper_id}/vote",
        "/api/papers/{paper_id}/comments",
        "/api/submit",
        "/api/trending",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation.get("summary") and operation.get("description")
    assert "DailyPaperPublic" in schema["components"]["schemas"]
    assert "ApiToken" in schema["components"]["securitySchemes"]


def test_docs_api_md_shows_every_documented_endpoint(client):
    docs = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()
    shown = {
        re.sub(r"\{[^}]*\}", "{}", path) for path in re.findall(r"`(?:GET|POST) (/[^`?\s]*)", docs)
    }
    shown |= {
        re.sub(r"\{[^}]*\}", "{}", path) for path in re.findall(r"^\| `(/[^`?]*)", docs, re.M)
    }
    for path in client.get("/openapi.json").json()["paths"]:
        generic = re.sub(r"\{[^}]*\}", "{}", path).replace(".{}", ".rss")
        assert generic in shown, path


def test_search_pages_with_p_and_limit_and_bounds_both(client):
    """p counts pages of `limit` hits from 0 (#12); page 1 goes on where page 0 stopped."""
    both = ids(client.get("/api/papers/search", params={"q": "attention", "limit": 4}).json())
    first = client.get("/api/papers/search", params={"q": "attention", "limit": 2, "p": 0})
    second = client.get("/api/papers/search", params={"q": "attention", "limit": 2, "p": 1})
    assert len(both) == 4
    assert ids(first.json()) + ids(second.json()) == both
    too_deep = client.get("/api/papers/search", params={"q": "attention", "limit": 100, "p": 2})
    assert too_deep.status_code == 422
    assert "page must be between 0 and 1" in too_deep.json()["error"]


def test_the_summary_to_show_and_the_organisation_fill_hugging_face_fields(client):
    item = next(
        i for i in hf_items(str(HF_DAY)) if i.get("organization") and i["paper"].get("ai_summary")
    )
    paper = client.get(f"/api/papers/{item['paper']['id']}").json()
    assert paper["ai_summary"] == item["paper"]["ai_summary"]
    assert paper["ai_keywords"] == item["paper"]["ai_keywords"]
    assert paper["ai_summary_source"] == "huggingface"
    org = item["organization"]
    assert paper["organization"] == {"name": org["name"], "fullname": org["fullname"]}
    ours = client.get(f"/api/papers/{HOSTILE_ID}").json()  # not from Hugging Face: ours
    assert (ours["ai_summary"], ours["ai_summary_source"]) == (OUR_SUMMARY.tldr, "papertide")
    assert "organization" not in ours
    for listed in client.get("/api/daily_papers", params={"date": str(HF_DAY)}).json():
        for key in ("ai_summary", "ai_keywords", "ai_summary_source", "organization"):
            assert listed.get(key) == listed["paper"].get(key)  # where huggingface_hub reads
