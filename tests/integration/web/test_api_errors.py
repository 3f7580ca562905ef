"""Errors and HEAD through the whole app (#12 point 9): every /api/ error is {"error": ...}, the
router's 404 and 405 included; a body that is not JSON is a 400; HEAD answers wherever GET does,
with the GET's status and headers and no body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.web.static_assets import asset_version
from tests.integration.web.api_world import (
    HF_DAY,
    HOSTILE_ID,
    OLD_STYLE_ID,
    World,
    build_app,
    build_world,
)

IMPORTED_ID = "2603.07660"
# headers that may differ between two answers to the same request
PER_ANSWER = frozenset({"date", "set-cookie"})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("errors")))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


@pytest.fixture(scope="module")
def auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.user_with_token('alice')[1]}"}


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/api/no-such-endpoint", 404, "no API endpoint"),
        ("GET", "/api/", 404, "no API endpoint"),
        ("DELETE", "/api/daily_papers", 405, "allowed: GET"),
        ("POST", "/api/health", 405, "allowed: GET"),
        ("PUT", f"/api/papers/{IMPORTED_ID}/vote", 405, "allowed: POST"),
        ("GET", "/api/submit", 405, "allowed: POST"),
    ],
)
def test_router_errors_under_api_are_json_errors(client, method, path, status, words):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert words in body["error"]
    if status == 405:
        assert response.headers["Allow"] in body["error"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/no-such-page"), ("DELETE", "/about")])
def test_router_errors_of_pages_stay_html_pages(client, method, path):
    response = client.request(method, path)
    assert response.status_code in (404, 405)
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1" in response.text


@pytest.mark.parametrize(
    ("path", "content", "content_type", "words"),
    [
        (f"/api/papers/{HOSTILE_ID}/vote", b"{not json", "application/json", "character 1"),
        (f"/api/papers/{HOSTILE_ID}/vote", b"up=true", "application/json", "character 0"),
        (f"/api/papers/{HOSTILE_ID}/comments", b'{"body": "hi"', "application/json", "valid JSON"),
        (f"/api/papers/{HOSTILE_ID}/comments", b"Nice paper", "text/plain", "Content-Type"),
        (f"/api/papers/{HOSTILE_ID}/comments", b"body=Nice", None, "Content-Type"),
        ("/api/submit", b"id=2603.33333", "application/x-www-form-urlencoded", "Content-Type"),
    ],
)
def test_a_write_body_that_is_not_json_is_a_400_saying_so(
    client, auth, path, content, content_type, words
):
    headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
    response = client.post(path, content=content, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert "JSON" in body["error"] and words in body["error"]


def test_json_of_the_wrong_shape_stays_a_422_naming_the_field(client, auth):
    response = client.post(f"/api/papers/{HOSTILE_ID}/comments", json=["hi"], headers=auth)
    assert response.status_code == 422
    assert response.json()["fields"] == [
        "body: Input should be a valid dictionary or object to extract fields from"
    ]


HEAD_PATHS = (
    "/",
    f"/daily/{HF_DAY}",
    "/week/2026-W11",
    "/trending",
    f"/papers/{IMPORTED_ID}",
    f"/papers/{OLD_STYLE_ID}",
    "/search?q=attention",
    "/about",
    "/docs",
    "/api/health",
    f"/api/daily_papers?date={HF_DAY}",
    f"/api/papers/{IMPORTED_ID}",
    "/api/papers/search?q=attention",
    "/api/trending",
    f"/papers/{IMPORTED_ID}.md",
    f"/papers/{IMPORTED_ID}.bib",
    f"/papers/{IMPORTED_ID}.ris",
    f"/daily/{HF_DAY}.bib",
    "/feeds/daily.rss",
    "/feeds/trending.atom",
    "/openapi.json",
    f"/static/favicon.svg?v={asset_version()}",
    "/api/papers/2601.99999",  # errors too: a 404 is a 404 to HEAD
    "/papers/2601.99999",
)


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_answers_like_get_without_a_body(client, path):
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    same = {name: value for name, value in got.headers.items() if name not in PER_ANSWER}
    assert {name: value for name, value in head.headers.items() if name not in PER_ANSWER} == same
    assert int(head.headers["content-length"]) > 0  # the GET's length, body not sent


def test_head_of_a_write_only_endpoint_is_a_405_like_get(client):
    response = client.head("/api/submit")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_openapi_documents_the_400_of_every_write(client):
    paths = client.get("/openapi.json").json()["paths"]
    writes = [op for item in paths.values() for method, op in item.items() if method == "post"]
    assert len(writes) >= 3
    for operation in writes:
        answer = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/ErrorPublic"}
