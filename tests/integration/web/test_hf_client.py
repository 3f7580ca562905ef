"""huggingface_hub as a real client (#12 point 10): `HfApi(endpoint=...)` pointed at papertide
served over HTTP by uvicorn reads the fields our store holds."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from huggingface_hub import HfApi
from huggingface_hub.hf_api import PaperInfo

from papertide.rank.extras import extras_shown
from papertide.web.api.shapes import submitted_at
from tests.e2e.serve_process import free_port
from tests.integration.web.api_world import (
    DATA,
    HF_DAY,
    HOSTILE_ID,
    OUR_SUMMARY,
    World,
    build_app,
    build_world,
    hf_records,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("hf")))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def hf(world: World) -> Iterator[HfApi]:
    port = free_port()
    config = uvicorn.Config(build_app(world.services), port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield HfApi(endpoint=f"http://127.0.0.1:{port}", token=False)
    server.should_exit = True
    thread.join()


def check_against_store(world: World, info: PaperInfo) -> None:
    paper_id = info.id
    paper = world.store.get_paper(paper_id)
    assert paper is not None
    listings = world.store.listings_of(paper_id)
    assert info.title == paper.title
    assert info.summary == paper.abstract
    assert [a.name for a in info.authors or []] == list(paper.authors)
    assert info.upvotes == world.store.upvotes([paper_id])[paper_id]
    # the latest listing's time (the day's start if untimed); arXiv's for a paper never listed
    assert info.submitted_at == (submitted_at(listings[0]) if listings else paper.published)
    assert info.published_at == paper.published
    code = next((link.url for link in paper.links if link.kind == "code"), None)
    assert info.github_repo == code
    # the summary to show (rank/extras.py) and the organisation, in Hugging Face's fields
    summary = extras_shown(world.store, [paper_id])[paper_id].summary
    orgs = extras_shown(world.store, [paper_id])[paper_id].orgs
    assert info.ai_summary == (summary.tldr if summary else None)
    assert info.ai_keywords == (list(summary.keywords) if summary else None)
    # ours, kept by PaperInfo as an attribute of its own
    assert getattr(info, "ai_summary_source", None) == (summary.source if summary else None)
    org = (info.organization.name, info.organization.fullname) if info.organization else None
    assert org == ((orgs[0].slug, orgs[0].name) if orgs else None)


@pytest.mark.parametrize(
    "period",
    [{"date": str(HF_DAY)}, {"week": "2026-W11"}, {"month": "2026-03"}, {}],
)
@pytest.mark.parametrize("sort", [None, "publishedAt", "trending"])
def test_list_daily_papers_reads_our_fields(hf, world, period, sort):
    papers = list(hf.list_daily_papers(**period, sort=sort, limit=100))
    assert papers
    for info in papers:
        check_against_store(world, info)


def test_paper_info_and_list_papers_read_our_fields(hf, world):
    check_against_store(world, hf.paper_info("2603.07660"))
    found = list(hf.list_papers(query="transformers attention"))
    assert HOSTILE_ID in [info.id for info in found]
    for info in found:
        check_against_store(world, info)


def test_paper_info_reads_a_claimed_author_as_its_user(hf, world):
    """An approved claim fills Hugging Face's `user` (and `status`) of that author only."""
    paper = world.store.get_paper("2603.07660")
    assert paper is not None and len(paper.authors) > 1
    user, _token = world.user_with_token("claimant")
    claimed = paper.authors[1]
    world.store.add_claim(user.id, paper.id, claimed, "rule:example.org")
    authors = hf.paper_info(paper.id).authors or []
    assert [a.name for a in authors] == list(paper.authors)
    [mine] = [a for a in authors if a.user is not None]
    assert (mine.name, mine.user.username, mine.user.fullname) == (claimed, "claimant", "claimant")
    assert mine.status == "claimed_verified" and mine.status_last_changed_at == world.clock.now()


def test_hugging_face_summaries_and_organisations_read_back_as_imported(hf):
    """A paper imported with Hugging Face's ai_summary, ai_keywords and organization gives what
    the import kept of them through paper_info and list_daily_papers; a paper of ours, ours."""
    with gzip.open(DATA / f"{HF_DAY}.json.gz") as recorded:
        items = {item["paper"]["id"]: item for item in json.loads(recorded.read())}
    kept = {record.paper.id: record.extras for record in hf_records()}
    listed = {info.id: info for info in hf.list_daily_papers(date=str(HF_DAY), limit=100)}
    assert any(item.get("organization") for item in items.values())
    for paper_id, item in items.items():
        extras = kept[paper_id]
        summary = extras.summary if extras else None
        for info in (hf.paper_info(paper_id), listed[paper_id]):
            if summary is not None and summary.tldr:
                assert info.ai_summary == item["paper"]["ai_summary"] == summary.tldr
                assert info.ai_keywords == list(summary.keywords)
                assert info.ai_summary_source == "huggingface"
            else:  # Hugging Face had none, and no index made ours here
                assert info.ai_summary is None
            if item.get("organization"):
                assert info.organization is not None and extras is not None
                assert info.organization.fullname == item["organization"]["fullname"]
                assert info.organization.name == extras.org_slug  # its page: /org/<name>
    ours = hf.paper_info(HOSTILE_ID)
    assert (ours.ai_summary, ours.ai_keywords) == (OUR_SUMMARY.tldr, list(OUR_SUMMARY.keywords))
    assert ours.ai_summary_source == "papertide" and ours.organization is None
