"""Paper submissions as background jobs: a submission of a paper not stored yet is queued and
fetched from arXiv on a small pool of its own threads, never on a request's thread, so a slow
or unreachable arXiv holds up the submitter's job only, not the site. The submitter sees the
job's state (queued, fetching, listed, failed with a readable reason) on the next page.

Jobs live in the process that took them (a worker); what they produce, the paper and its
listing, is in the store for every worker.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from papertide.errors import (
    ConflictError,
    PapertideError,
    RateLimitError,
    SourceUnavailableError,
)
from papertide.models import User

QUEUED, FETCHING, LISTED, FAILED = "queued", "fetching", "listed", "failed"
SUBMIT_WORKERS = 2  # arXiv fetches at once per process (the fetcher spaces them 3 s apart)
MAX_WAITING = 200  # jobs queued or fetching per process; more are refused for a minute
KEPT_JOBS = 2000  # finished jobs remembered per process (oldest forgotten first)
_log = logging.getLogger("papertide.submissions")


@dataclass(frozen=True, slots=True)
class Submission:
    """A submission's state as its submitter sees it; `message` says why it failed."""

    paper_id: str
    state: str
    message: str = ""
    error: PapertideError | None = None  # why it failed, for callers that map it (the API)

    @property
    def done(self) -> bool:
        return self.state in (LISTED, FAILED)


class SubmissionJobs:
    """Runs `fetch_and_list(user, paper_id)` (fetch from arXiv, store, list on today's page)
    on `workers` threads of its own, and keeps each job's state for its submitter."""

    def __init__(
        self,
        fetch_and_list: Callable[[User, str], object],
        workers: int = SUBMIT_WORKERS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self._fetch_and_list = fetch_and_list
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="submission")
        self._max_waiting = max_waiting
        self._jobs: OrderedDict[tuple[int, str], Submission] = OrderedDict()
        self._running: dict[tuple[int, str], Future[None]] = {}
        self._lock = threading.Lock()

    def queue(self, user: User, paper_id: str) -> Submission:
        """The job of this user for this paper: the one under way, or a new one queued.
        RateLimitError when too many are waiting."""
        key = (user.id, paper_id)
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and not current.done:
                return current
            waiting = sum(1 for job in self._jobs.values() if not job.done)
            if waiting >= self._max_waiting:
                raise RateLimitError("many papers are being fetched from arXiv; try again", 60)
            job = self._set(key, Submission(paper_id, QUEUED))
            self._running[key] = self._pool.submit(self._run, user, paper_id)
        return job

    def running(self, user: User, paper_id: str) -> Future[None] | None:
        """The job under way, to wait for (an async caller awaits it without holding a
        thread: asyncio.wrap_future)."""
        with self._lock:
            return self._running.get((user.id, paper_id))

    def state(self, user: User, paper_id: str) -> Submission | None:
        """This user's job for this paper, if this process has one."""
        with self._lock:
            return self._jobs.get((user.id, paper_id))

    def close(self) -> None:
        """Stop taking jobs; those under way finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, user: User, paper_id: str) -> None:
        key = (user.id, paper_id)
        with self._lock:
            self._set(key, Submission(paper_id, FETCHING))
        try:
            self._fetch_and_list(user, paper_id)
            outcome = Submission(paper_id, LISTED)
        except ConflictError:  # listed meanwhile (by someone else): what was asked for
            outcome = Submission(paper_id, LISTED)
        except SourceUnavailableError as error:
            _log.warning("submission of %s: %s", paper_id, error)  # the details, for admins
            message = (
                f"arXiv could not be reached just now, so {paper_id} was not fetched;"
                " please try again later"
            )
            outcome = Submission(paper_id, FAILED, message, error)
        except PapertideError as error:
            outcome = Submission(paper_id, FAILED, str(error), error)
        except Exception as error:  # a job's failure must reach its submitter, not vanish
            _log.exception("submission of %s failed", paper_id)
            outcome = Submission(paper_id, FAILED, f"fetching failed: {type(error).__name__}")
        with self._lock:
            self._set(key, outcome)
            self._running.pop(key, None)

    def _set(self, key: tuple[int, str], job: Submission) -> Submission:
        self._jobs[key] = job
        self._jobs.move_to_end(key)
        while len(self._jobs) > KEPT_JOBS:
            oldest = next(iter(self._jobs))
            if not self._jobs[oldest].done:
                break
            del self._jobs[oldest]
        return job
