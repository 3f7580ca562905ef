"""Fuzz every documented endpoint from the app's own OpenAPI schema (schemathesis strategies,
in-process ASGI): whatever the parameters and bodies, valid or not, no answer is a 5xx. Write
endpoints get a valid API token, and generous rate limits so the fuzzer gets past the 429s.

schemathesis' pytest loader `from_fixture` fails on pytest 9 (it reads `Function._nodeid`, which
is gone), so each operation's strategy is driven by Hypothesis directly, one test per operation
and generation mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from papertide.community.ratelimit import RateLimits
from papertide.models import Follow
from papertide.web.feeds.routes import following_feed_token
from tests.integration.web.api_world import (
    FETCHABLE_ID,
    HF_DAY,
    HOSTILE_ID,
    NOT_LISTED_ID,
    OLD_STYLE_ID,
    TODAY,
    World,
    build_app,
    build_world,
)

FUZZ_EXAMPLES = 40  # per operation and mode; the whole file stays under a minute on 2 cores
GENEROUS = RateLimits(vote=(1_000_000, 60), comment=(1_000_000, 60), submit=(1_000_000, 86_400))
CITATION_PATHS = ("/papers/{paper_id}", "/search", "/daily/{day}", "/week/{period}",
                  "/month/{period}", "/collections/{collection_id}")  # fmt: skip
CITATION_EXTENSIONS = ("bib", "ris", "csl.json")
FREE_TEXT_CITATION_PATHS = (
    "/papers/{paper_id}",
    "/daily/{day}",
    "/week/{period}",
    "/month/{period}",
)
OPERATIONS = (
    "GET /api/daily_papers",
    "GET /api/papers/search",
    "GET /api/trending",
    "GET /api/health",
    "POST /api/papers/{paper_id}/vote",
    "POST /api/papers/{paper_id}/comments",
    "POST /api/submit",
    "GET /api/papers/{paper_id}/similar",
    "GET /api/papers/{paper_id}/comments",
    "GET /api/papers/{paper_id}",
    "GET /papers/{paper_id}.md",
    *(f"GET {path}.{ext}" for path in CITATION_PATHS for ext in CITATION_EXTENSIONS),
    "GET /feeds/daily.{fmt}",
    "GET /feeds/trending.{fmt}",
    "GET /feeds/search.{fmt}",
    "GET /feeds/authors/{name}.{fmt}",
    "GET /feeds/categories/{category}.{fmt}",
    "GET /feeds/users/{username}/following.{fmt}",
    "GET /api/for-you",
    "GET /feeds/users/{username}/for-you.{fmt}",
)
# No parameters, or one free-text path segment: no request to them is invalid by the schema.
NO_INVALID_REQUEST = frozenset(
    {
        "GET /api/papers/{paper_id}/comments",
        "GET /api/papers/{paper_id}",
        "GET /papers/{paper_id}.md",
        *(f"GET {path}.{ext}" for path in FREE_TEXT_CITATION_PATHS for ext in CITATION_EXTENSIONS),
        "GET /api/for-you",
        "GET /api/health",
    }
)
CASES = [
    pytest.param(label, mode, id=f"{label}-{mode.value}")
    for label in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not (mode is GenerationMode.NEGATIVE and label in NO_INVALID_REQUEST)
]


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build_world(Path(tmp_path_factory.mktemp("fuzz")), GENEROUS)
    yield world
    world.store.close()


@pytest.fixture(scope="module")
def fuzz_token(fuzz_world: World) -> str:
    return fuzz_world.user_with_token("fuzzer")[1]


@pytest.fixture(scope="module")
def known_values(fuzz_world: World, fuzz_token: str) -> dict[str, list[str]]:
    """Path values that exist, so half of the cases get past the 404s."""
    user = fuzz_world.services.accounts.user_for_api_token(fuzz_token)
    assert user is not None
    fuzz_world.services.community.bookmark(user, HOSTILE_ID, "Fuzzed")
    for follow in (Follow("author", "Edward Witten"), Follow("keyword", "attention")):
        fuzz_world.services.community.follow(user, follow, True)
    collection = fuzz_world.store.collections_of(user.id)[0]
    return {
        "paper_id": [HOSTILE_ID, OLD_STYLE_ID, NOT_LISTED_ID, "2603.07660", "2603.07660v2"],
        "day": [str(HF_DAY), str(TODAY)],
        "period": ["2026-W11", "2026-03"],
        "collection_id": [str(collection.id)],
        "name": ["Edward Witten", "Émile Borel"],
        "category": ["cs.CL", "hep-th"],
        "username": ["fuzzer"],
        "fmt": ["rss", "atom"],
        "token": [following_feed_token(fuzz_world.services.secret_key, user)],
    }


@pytest.fixture(scope="module")
def api_schema(fuzz_world: World) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", build_app(fuzz_world.services))


def test_fuzz_covers_every_documented_operation(api_schema):
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_fuzz_api_never_answers_a_server_error(api_schema, fuzz_token, known_values, label, mode):
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None
    headers = {"Authorization": f"Bearer {fuzz_token}"}
    strategy = operation.as_strategy(mode, headers=headers)
    names = re.findall(r"\{(\w+)\}", label)
    if names and mode is GenerationMode.POSITIVE:
        known = st.fixed_dictionaries({name: st.sampled_from(known_values[name]) for name in names})
        query = {"token": known_values["token"][0]} if "{username}" in label else None
        strategy = st.one_of(
            strategy,
            known.flatmap(
                lambda values: operation.as_strategy(
                    mode, headers=headers, path_parameters=values, query=query
                )
            ),
        )
    if label == "POST /api/submit" and mode is GenerationMode.POSITIVE:
        bodies = st.sampled_from(
            [{"id": FETCHABLE_ID}, {"id": NOT_LISTED_ID}, {"id": "2601.99999"}]
        )
        submitted = bodies.flatmap(
            lambda body: operation.as_strategy(mode, headers=headers, body=body)
        )
        strategy = st.one_of(strategy, submitted)
    statuses: set[int] = set()

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: schemathesis.Case[Any]) -> None:
        response = case.call()
        statuses.add(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
            f" -> {response.status_code}: {response.text[:300]}"
        )

    call()
    assert statuses  # the strategy produced requests
