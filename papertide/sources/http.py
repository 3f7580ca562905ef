"""Polite HTTP GETs for every remote source: one client, a minimum gap between calls,
retries with exponential backoff on 5xx, 429, timeouts and connection errors, and honouring
`Retry-After` (https://info.arxiv.org/help/api/tou.html asks for one call every 3 s).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from papertide.clock import Clock
from papertide.errors import SourceUnavailableError

BACKOFF_BASE_S = 2.0
MAX_RETRY_AFTER_S = 600.0
_RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass
class PoliteFetcher:
    """GETs through one injected httpx.Client, at least `min_interval_s` apart.

    Raises SourceUnavailableError with one clear line once `retries` retries are spent, or at
    once for a 4xx answer other than 429.
    """

    client: httpx.Client
    clock: Clock
    min_interval_s: float = 3.0
    retries: int = 4
    _last_call: float | None = None

    def get(self, url: str, params: Mapping[str, str | int] | None = None) -> httpx.Response:
        attempt = 0
        while True:
            self._wait_turn()
            problem, wait_s = self._try_once(url, params)
            if isinstance(problem, httpx.Response):
                return problem
            if attempt >= self.retries:
                raise SourceUnavailableError(
                    f"{_host(url)}: {problem} (gave up after {attempt + 1} tries)"
                )
            attempt += 1
            self.clock.sleep(wait_s if wait_s is not None else BACKOFF_BASE_S * 2 ** (attempt - 1))

    def _try_once(
        self, url: str, params: Mapping[str, str | int] | None
    ) -> tuple[httpx.Response | str, float | None]:
        """The response when usable, else (what went wrong, how long the server asks to wait)."""
        try:
            response = self.client.get(url, params=params)
        except httpx.TimeoutException:
            return "timed out", None
        except httpx.TransportError as error:
            return f"cannot connect ({error.__class__.__name__}: {error})", None
        finally:
            self._last_call = self.clock.monotonic()
        if response.status_code in _RETRY_STATUS:
            return f"HTTP {response.status_code}", self._retry_after(response)
        if response.status_code >= 400:
            detail = _explanation(response.text)
            raise SourceUnavailableError(
                f"{_host(url)}: HTTP {response.status_code}" + (f": {detail}" if detail else "")
            )
        return response, None

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Seconds from a Retry-After header (delta-seconds or HTTP date), capped."""
        value = response.headers.get("Retry-After", "").strip()
        if value.isdigit():
            return min(float(value), MAX_RETRY_AFTER_S)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return min(max((when - self.clock.now()).total_seconds(), 0.0), MAX_RETRY_AFTER_S)

    def _wait_turn(self) -> None:
        if self._last_call is None:
            return
        gap = self.clock.monotonic() - self._last_call
        if gap < self.min_interval_s:
            self.clock.sleep(self.min_interval_s - gap)


def _explanation(body: str) -> str:
    """What a 4xx body says, briefly: an Atom error's <summary> (arXiv) or the text itself."""
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", body, re.DOTALL)
    text = summary[1] if summary else re.sub(r"<[^>]+>", " ", body)
    return " ".join(text.split())[:200]


def _host(url: str) -> str:
    return httpx.URL(url).host or url
