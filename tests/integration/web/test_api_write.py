"""The JSON API's write endpoints: token auth, idempotent votes, comments, submissions, rate
limits and their error answers, over a real store."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.community.ratelimit import RateLimits
from tests.integration.web.api_world import (
    FETCHABLE_ID,
    HOSTILE_ID,
    NOT_LISTED_ID,
    OLD_STYLE_ID,
    TODAY,
    UNREACHABLE_ID,
    World,
    build_app,
    build_world,
)

IMPORTED_ID = "2603.07660"  # 50 upvotes and 4 comments on the recorded 2026-03-10 page


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


@pytest.fixture
def auth(world: World) -> dict[str, str]:
    _, token = world.user_with_token("alice")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer pt_not-a-token"}, {"Authorization": "Basic YWxpY2U6eA=="}],
)
def test_writes_without_a_valid_token_are_401(client, headers):
    for path, body in (
        (f"/api/papers/{IMPORTED_ID}/vote", {"up": True}),
        (f"/api/papers/{IMPORTED_ID}/comments", {"body": "hello"}),
        ("/api/submit", {"id": FETCHABLE_ID}),
    ):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "token" in response.json()["error"]


def test_vote_is_idempotent_and_can_be_taken_back(client, auth):
    path = f"/api/papers/{IMPORTED_ID}/vote"
    first = client.post(path, json={"up": True}, headers=auth)
    again = client.post(path, json={"up": True}, headers=auth)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"paperId": IMPORTED_ID, "upvotes": 51, "voted": True}
    assert client.get(f"/api/papers/{IMPORTED_ID}").json()["upvotes"] == 51
    back = client.post(path, json={"up": False}, headers=auth)
    assert back.json() == {"paperId": IMPORTED_ID, "upvotes": 50, "voted": False}
    assert client.post(path, json={"up": False}, headers=auth).json()["upvotes"] == 50


def test_votes_of_two_users_add_up(client, world, auth):
    _, other = world.user_with_token("bob")
    path = f"/api/papers/{HOSTILE_ID}/vote"
    client.post(path, json={}, headers=auth)  # "up" defaults to true
    state = client.post(path, json={"up": True}, headers={"Authorization": f"Bearer {other}"})
    assert state.json()["upvotes"] == 3 + 2
    daily = client.get("/api/daily_papers", params={"date": TODAY.isoformat()}).json()
    assert {i["paper"]["id"]: i["paper"]["upvotes"] for i in daily}[HOSTILE_ID] == 5


@pytest.mark.parametrize(
    ("paper", "body", "status"),
    [
        ("2601.99999", {"up": True}, 404),
        (OLD_STYLE_ID, {"up": True}, 200),
        (IMPORTED_ID, {"up": "perhaps"}, 422),
        (IMPORTED_ID, {"up": True, "down": True}, 422),
        (IMPORTED_ID, [1, 2], 422),
        ("not an id", {"up": True}, 422),
    ],
)
def test_vote_answers_each_kind_of_bad_request(client, auth, paper, body, status):
    response = client.post(f"/api/papers/{paper}/vote", json=body, headers=auth)
    assert response.status_code == status
    if status != 200:
        assert response.json()["error"]


def test_vote_with_a_body_that_is_not_json_is_a_json_400(client, auth):
    response = client.post(
        f"/api/papers/{IMPORTED_ID}/vote",
        content=b"\xff\xfe{not json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "pars" in response.json()["error"]


def test_comment_is_stored_listed_and_counted(client, auth):
    body = "Nice result, but see $\\mathcal{O}(n)$ <script>x</script> [ref](https://e.org)"
    response = client.post(f"/api/papers/{IMPORTED_ID}/comments", json={"body": body}, headers=auth)
    assert response.status_code == 201
    created = response.json()
    assert created["author"] == "alice"
    assert created["body"] == body
    assert created["paperId"] == IMPORTED_ID
    listed = client.get(f"/api/papers/{IMPORTED_ID}/comments").json()
    assert [c["id"] for c in listed] == [created["id"]]
    # the count agrees with what the comments endpoint returns (the 4 imported stay on HF)
    listed = client.get(f"/api/papers/{IMPORTED_ID}/comments").json()
    assert client.get(f"/api/papers/{IMPORTED_ID}").json()["numComments"] == len(listed) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"body": ""}, 422),
        ({"body": "   \n "}, 422),
        ({"body": "x" * 10_001}, 422),
        ({}, 422),
        # a parent id beyond any stored id: a 422, not an overflow in the store (a 500)
        ({"body": "0", "parentId": 9223372036854775808}, 422),
        ({"body": "0", "parentId": 0}, 422),
    ],
)
def test_comment_refuses_empty_or_huge_bodies(client, auth, body, status):
    response = client.post(f"/api/papers/{IMPORTED_ID}/comments", json=body, headers=auth)
    assert response.status_code == status
    assert response.json()["error"]


def test_replies_carry_the_thread_parent_id(client, auth):
    url = f"/api/papers/{IMPORTED_ID}/comments"
    top = client.post(url, json={"body": "Top"}, headers=auth).json()
    assert top["parentId"] is None and top["editedAt"] is None
    reply = client.post(url, json={"body": "Re", "parentId": top["id"]}, headers=auth).json()
    deeper = client.post(url, json={"body": "Re re", "parentId": reply["id"]}, headers=auth)
    assert deeper.status_code == 201 and deeper.json()["parentId"] == top["id"]
    listed = client.get(url).json()
    assert [c["parentId"] for c in listed] == [None, top["id"], top["id"]]
    elsewhere = client.post(
        "/api/papers/2601.99999/comments", json={"body": "x", "parentId": top["id"]}, headers=auth
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["error"]


def test_comment_on_an_unknown_paper_is_404(client, auth):
    response = client.post("/api/papers/2601.99999/comments", json={"body": "hi"}, headers=auth)
    assert response.status_code == 404


def test_submit_fetches_a_new_paper_and_lists_it_today(client, world, auth):
    response = client.post(
        "/api/submit", json={"id": f"https://arxiv.org/abs/{FETCHABLE_ID}v2"}, headers=auth
    )
    assert response.status_code == 201
    item = response.json()
    assert item["paper"]["id"] == FETCHABLE_ID
    assert item["submittedBy"]["name"] == "alice"
    assert world.arxiv.calls == [[FETCHABLE_ID]]
    today = client.get("/api/daily_papers", params={"date": str(TODAY)}).json()
    assert FETCHABLE_ID in [i["paper"]["id"] for i in today]
    twice = client.post("/api/submit", json={"id": FETCHABLE_ID}, headers=auth)
    assert twice.status_code == 409
    assert "already" in twice.json()["error"]


def test_submit_of_a_stored_paper_does_not_fetch(client, world, auth):
    response = client.post("/api/submit", json={"id": NOT_LISTED_ID}, headers=auth)
    assert response.status_code == 201
    assert world.arxiv.calls == []
    assert response.json()["paper"]["submittedOnDailyAt"].startswith(str(TODAY))


@pytest.mark.parametrize(
    ("text", "status"),
    [("2601.99999", 404), ("not an arxiv id", 422), ("", 422), ("x" * 301, 422)],
)
def test_submit_refuses_unknown_or_malformed_ids(client, auth, text, status):
    response = client.post("/api/submit", json={"id": text}, headers=auth)
    assert response.status_code == status
    assert response.json()["error"]


def test_submit_while_arxiv_is_down_is_503_with_retry_after(client, auth):
    response = client.post("/api/submit", json={"id": UNREACHABLE_ID}, headers=auth)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "arXiv did not answer" in response.json()["error"]


def test_writes_past_the_rate_limit_are_429_with_retry_after(tmp_path):
    world = build_world(tmp_path, RateLimits(vote=(2, 60)))
    _, token = world.user_with_token()
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(build_app(world.services)) as client:
        path = f"/api/papers/{IMPORTED_ID}/vote"
        codes = [client.post(path, json={"up": True}, headers=auth).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = client.post(path, json={"up": False}, headers=auth)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert "too many" in limited.json()["error"]
        assert client.get(f"/api/papers/{IMPORTED_ID}").json()["upvotes"] == 51
    world.store.close()


def test_concurrent_votes_and_replays_count_each_user_once(client, world):
    tokens = [world.user_with_token(f"voter{n}")[1] for n in range(8)]
    path = f"/api/papers/{IMPORTED_ID}/vote"

    def vote(token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        response = client.post(path, json={"up": True}, headers=headers)
        return int(response.status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(vote, tokens * 3))  # every vote sent three times, interleaved
    assert codes == [200] * 24
    assert client.get(f"/api/papers/{IMPORTED_ID}").json()["upvotes"] == 50 + 8
