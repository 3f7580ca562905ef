"""The built-in digest scheduler for `papertide serve`: a daemon thread that runs `send_due`
every interval. Several workers may each run one: the send lock lets one of them send and the
others skip that round. Cron with `papertide digest send` does the same job from outside.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from papertide.clock import Repeating
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
        self._rounds = Repeating(self.run_once, interval_s, "digest-scheduler")

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
        replies = report.replies_sent + report.replies_failed + report.replies_deferred
        if report.sent or report.resent or report.failed or report.deferred or replies:
            self._log.info("digests: %s", report)
        return report

    def start(self) -> None:
        """Run rounds on a daemon thread: the first at once, then every interval."""
        self._rounds.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the thread to stop and wait for the round under way (at most `timeout_s`)."""
        self._rounds.stop(timeout_s)
