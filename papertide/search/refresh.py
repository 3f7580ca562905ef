"""A vector index that keeps itself current in a long-running process (`papertide serve`):
every `interval_s` it asks, off the request path, whether the stored vectors or the saved
HNSW graph changed, and if so loads the new index aside and swaps it in.

Requests never wait: they search the index in hand while a new one loads. A load that fails
keeps the old index and logs a warning; the next check tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence

from papertide.clock import Clock
from papertide.index.vectors import Matrix
from papertide.search.service import VectorSearcher

Runner = Callable[[Callable[[], None]], None]


def in_background(task: Callable[[], None]) -> None:
    """Run `task` on a daemon thread (the default runner)."""
    threading.Thread(target=task, name="vector-refresh", daemon=True).start()


class RefreshingVectors:
    """A VectorSearcher over the index `load` builds, reloaded when `version` changes.

    `version` is cheap next to `load` (a sequence number, a file's mtime) but may still query
    the store, so it too runs on `runner`, never in the request that found the check due.
    """

    def __init__(
        self,
        load: Callable[[], VectorSearcher],
        version: Callable[[], Hashable],
        clock: Clock,
        interval_s: float,
        runner: Runner = in_background,
    ) -> None:
        self._load = load
        self._version = version
        self._clock = clock
        self._interval_s = interval_s
        self._runner = runner
        self._loaded_version = version()
        self._current = load()
        self._checked_at = clock.monotonic()
        self._busy = threading.Lock()  # held while a check (and maybe a load) runs

    @property
    def current(self) -> VectorSearcher:
        """The index searches use now (exact or HNSW)."""
        return self._current

    def search(
        self, query: Matrix, k: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        self._maybe_check()
        return self._current.search(query, k, exclude)

    def vectors_of(self, keys: Sequence[int]) -> dict[int, Matrix]:
        """The vectors of the keys held by the index searches use now."""
        return self._current.vectors_of(keys)

    def _maybe_check(self) -> None:
        now = self._clock.monotonic()
        if now - self._checked_at < self._interval_s or not self._busy.acquire(blocking=False):
            return
        self._checked_at = now
        self._runner(self._check)

    def _check(self) -> None:
        """On the runner, holding `_busy`: reload when the version moved."""
        try:
            version = self._version()
            if version != self._loaded_version:
                self._current = self._load()  # one reference swap: searches see old or new
                self._loaded_version = version
        except Exception as error:  # keep serving the old index; the next check retries
            logging.getLogger("papertide.index").warning(
                "could not reload the vector index, keeping the loaded one: %s", error
            )
        finally:
            self._busy.release()
