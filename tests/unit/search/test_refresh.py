"""RefreshingVectors: checks at most every interval, off the request, swaps on a new version,
keeps the old index when a load fails."""

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from papertide.clock import FixedClock
from papertide.search.refresh import RefreshingVectors, in_background
from papertide.search.service import VectorSearcher

QUERY = np.zeros(4, dtype=np.float32)


class AnsweringIndex:
    """A vector index that answers every query with one fixed paper."""

    def __init__(self, pk: int) -> None:
        self.pk = pk

    def search(
        self, query: np.ndarray, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        assert query.shape == QUERY.shape
        return [(pk, 1.0) for pk in (self.pk,) if pk not in exclude][:k]

    def vectors_of(self, keys: Sequence[int]) -> dict[int, np.ndarray]:
        return {pk: QUERY for pk in keys if pk == self.pk}


class Versions:
    """What the store says: a version number and the index each load builds."""

    def __init__(self) -> None:
        self.version = 1
        self.loads = 0
        self.checks = 0
        self.fail = False

    def load(self) -> VectorSearcher:
        if self.fail:
            raise OSError("graph file truncated")
        self.loads += 1
        return AnsweringIndex(self.version)

    def current(self) -> int:
        self.checks += 1
        return self.version


class QueuedRunner:
    """A runner that keeps tasks until the test runs them."""

    def __init__(self) -> None:
        self.tasks: list[Callable[[], None]] = []

    def __call__(self, task: Callable[[], None]) -> None:
        self.tasks.append(task)

    def run_all(self) -> None:
        while self.tasks:
            self.tasks.pop(0)()


@pytest.fixture
def world() -> tuple[Versions, FixedClock, QueuedRunner, RefreshingVectors]:
    versions, clock, runner = Versions(), FixedClock(), QueuedRunner()
    vectors = RefreshingVectors(versions.load, versions.current, clock, 60.0, runner)
    return versions, clock, runner, vectors


def found(vectors: RefreshingVectors) -> int:
    return vectors.search(QUERY, 10)[0][0]


def test_vectors_come_from_the_index_searches_use_now(world):
    versions, clock, runner, vectors = world
    assert list(vectors.vectors_of([1, 2])) == [1]
    versions.version = 2
    clock.sleep(61)
    found(vectors)
    runner.run_all()
    assert list(vectors.vectors_of([1, 2])) == [2]


def test_refresh_waits_for_the_interval_before_checking(world):
    versions, clock, runner, vectors = world
    versions.version = 2
    clock.sleep(59)
    assert found(vectors) == 1 and not runner.tasks
    clock.sleep(1)
    assert found(vectors) == 1  # the check runs off the request
    runner.run_all()
    assert found(vectors) == 2 and versions.loads == 2


def test_refresh_does_not_reload_an_unchanged_version(world):
    versions, clock, runner, vectors = world
    clock.sleep(60)
    found(vectors)
    runner.run_all()
    assert versions.loads == 1 and versions.checks == 2


def test_refresh_starts_one_check_at_a_time(world):
    _, clock, runner, vectors = world
    clock.sleep(60)
    found(vectors)
    clock.sleep(60)
    found(vectors)  # the first check is still under way
    assert len(runner.tasks) == 1
    runner.run_all()
    clock.sleep(60)
    found(vectors)
    assert len(runner.tasks) == 1


def test_refresh_keeps_the_old_index_when_a_load_fails_and_retries(world, caplog):
    versions, clock, runner, vectors = world
    versions.version, versions.fail = 2, True
    clock.sleep(60)
    found(vectors)
    runner.run_all()
    assert found(vectors) == 1
    assert "keeping the loaded one: graph file truncated" in caplog.text
    versions.fail = False
    clock.sleep(60)
    found(vectors)
    runner.run_all()
    assert found(vectors) == 2


def test_in_background_runs_the_task_on_a_daemon_thread():
    done = threading.Event()
    names: list[str] = []

    def task() -> None:
        names.append(threading.current_thread().name)
        done.set()

    in_background(task)
    assert done.wait(5) and names == ["vector-refresh"]
