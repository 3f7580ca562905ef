"""The built-in digest scheduler for `papertide serve`: a daemon thread that runs `send_due`
every interval. Several workers may each run one: the send lock lets one of them send and the
others skip that round. Cron with `papertide digest send` does the same job from outside.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from papertide.digest.service import SendReport
from papertide.errors import ConflictError, PapertideError

DIGEST_INTERVAL_S = 15 * 60.0


class DigestScheduler:
    """Calls `send` (a DigestService's send_due, bound) every `interval_s` seconds until
    stopped; a failing round is logged and the next one tries again."""

    def __init__(
        self,
        send: Callable[[], SendReport],
        interval_s: float = DIGEST_INTERVAL_S,
        log: logging.Logger | None = None,
    ) -> None:
        self._send = send
        self.interval_s = interval_s
        self._log = log or logging.getLogger("papertide.digest")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> SendReport | None:
        """One round; None when another process was sending or the round failed."""
        try:
            report = self._send()
        except ConflictError:
            self._log.info("digest send skipped: another process is sending")
            return None
        except PapertideError as error:
            self._log.warning(
                "digest send failed, next round in %.0f s: %s", self.interval_s, error
            )
            return None
        if report.sent or report.resent or report.failed or report.deferred:
            self._log.info("digests: %s", report)
        return report

    def start(self) -> None:
        """Run rounds on a daemon thread: the first at once, then every interval."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="digest-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the thread to stop and wait for the round under way (at most `timeout_s`)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval_s)
