"""BibTeX downloads: one paper, a daily page, a collection (owner only) and search results."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.web.auth import SESSION_COOKIE
from tests.integration.web.api_world import (
    HF_DAY,
    HOSTILE_ID,
    OLD_STYLE_ID,
    World,
    build_app,
    build_world,
)

ENTRY = re.compile(r"^@misc\{[a-z]+\d*[a-z]+,$", re.MULTILINE)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


def entries(text: str) -> list[str]:
    return re.findall(r"eprint\s*=\s*\{([^}]*)\}", text)


def assert_balanced(text: str) -> None:
    depth = 0
    for char in text.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_one_paper_as_bibtex(client):
    response = client.get(f"/papers/{HOSTILE_ID}.bib")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="2603.11111.bib"' in response.headers["content-disposition"]
    assert ENTRY.search(response.text)
    assert entries(response.text) == [HOSTILE_ID]
    assert "\\&" in response.text  # BibTeX specials escaped
    assert_balanced(response.text)


def test_old_style_and_unknown_papers_as_bibtex(client):
    old = client.get(f"/papers/{OLD_STYLE_ID}.bib")
    assert entries(old.text) == [OLD_STYLE_ID]
    assert 'filename="hep-th_9901001.bib"' in old.headers["content-disposition"]
    assert client.get("/papers/2601.99999.bib").status_code == 404


def test_a_daily_page_as_bibtex_in_page_order(client):
    response = client.get(f"/daily/{HF_DAY}.bib")
    assert response.status_code == 200
    page = client.get("/api/daily_papers", params={"date": str(HF_DAY), "limit": 100}).json()
    assert entries(response.text) == [item["paper"]["id"] for item in page]
    assert len(ENTRY.findall(response.text)) == len(page) == 28
    assert_balanced(response.text)
    assert client.get("/daily/2020-01-01.bib").text == ""
    assert client.get("/daily/2026-02-30.bib").status_code == 422
    assert client.get("/daily/yesterday.bib").status_code == 422


def test_search_results_as_bibtex(client):
    response = client.get("/search.bib", params={"q": "transformers attention", "limit": 3})
    assert response.status_code == 200
    assert 0 < len(ENTRY.findall(response.text)) <= 3
    assert client.get("/search.bib", params={"q": ""}).text == ""
    assert client.get("/search.bib", params={"limit": 0}).status_code == 422


def test_a_collection_as_bibtex_for_its_owner_only(client, world):
    owner, token = world.user_with_token("alice")
    world.services.community.bookmark(owner, HOSTILE_ID, "Thesis")
    world.services.community.bookmark(owner, OLD_STYLE_ID, "Thesis")
    collection = world.store.collections_of(owner.id)[0]
    path = f"/collections/{collection.id}.bib"
    by_token = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 200
    assert entries(by_token.text) == [OLD_STYLE_ID, HOSTILE_ID]  # newest added first
    assert 'filename="Thesis.bib"' in by_token.headers["content-disposition"]
    client.cookies.set(SESSION_COOKIE, world.session_for(owner))
    assert entries(client.get(path).text) == [OLD_STYLE_ID, HOSTILE_ID]
    other, _ = world.user_with_token("bob")
    client.cookies.set(SESSION_COOKIE, world.session_for(other))
    assert client.get(path).status_code == 404
    client.cookies.clear()
    assert client.get(path).status_code == 401
    assert client.get("/collections/notanumber.bib").status_code == 404
    assert client.get(f"/collections/{2**70}.bib").status_code in (401, 404, 422)
