"""Fixtures of the fetcher tests: a FixedClock, a real httpx client and a loopback server."""

from collections.abc import Iterator

import httpx
import pytest

from papertide.clock import FixedClock
from tests.replay_server import ReplayServer, replay_server


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as client:
        yield client


@pytest.fixture(scope="module")
def shared_server() -> Iterator[ReplayServer]:
    # one server per module, emptied before each test: starting and stopping one costs time
    with replay_server() as server:
        yield server


@pytest.fixture
def server(shared_server: ReplayServer) -> ReplayServer:
    shared_server.routes.clear()
    shared_server.requests.clear()
    return shared_server
