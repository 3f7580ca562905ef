"""Errors and HEAD through the real app: every /api/ error is {"error": ...} (the router's own
404 and 405 included), a body that is not JSON is a 400, and HEAD answers wherever GET does
with the GET's status and headers and no body. Each failed on main before the fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.web.api_world import HF_DAY, World, build_app, build_world

PAPER = "2405.15738"  # on the recorded Hugging Face day


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


def test_an_unknown_api_path_is_a_json_error_not_detail(client: TestClient) -> None:
    answer = client.get("/api/no/such/thing")
    assert answer.status_code == 404
    assert answer.json() == {"error": "Not Found"}


def test_a_wrong_method_is_a_json_405_that_says_what_is_allowed(client: TestClient) -> None:
    answer = client.delete("/api/daily_papers")
    assert answer.status_code == 405
    assert answer.json() == {"error": "Method Not Allowed"}
    assert answer.headers["allow"] == "GET"


def test_an_unknown_page_is_still_a_page(client: TestClient) -> None:
    answer = client.get("/no/such/page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("body", [b"not json", b'{"up": tru', b"\xff\xfe"])
def test_a_body_that_is_not_json_is_a_400(client: TestClient, body: bytes) -> None:
    answer = client.post(
        f"/api/papers/{PAPER}/vote",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": "the request body is not valid JSON"}


def test_a_json_body_of_the_wrong_shape_is_still_a_422_naming_the_field(
    client: TestClient, world: World
) -> None:
    _, token = world.user_with_token()
    answer = client.post(
        f"/api/papers/{PAPER}/vote",
        json={"up": "sideways"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    assert answer.json()["fields"][0].startswith("body.up:")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/daily/{HF_DAY}",
        "/api/daily_papers",
        f"/api/daily_papers?date={HF_DAY}",
        "/api/papers/search?q=model",
        "/feeds/daily.rss",
        "/feeds/trending.atom",
        f"/daily/{HF_DAY}.bib",
        "/static/favicon.svg",
        "/api/no/such/thing",
        "/no/such/page",
    ],
)
def test_head_answers_wherever_get_does_with_the_same_head(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "content-encoding", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_head_of_a_path_that_only_takes_post_is_a_405(client: TestClient) -> None:
    answer = client.head("/api/submit")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
