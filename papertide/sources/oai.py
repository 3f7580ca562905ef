"""Harvest arXiv's OAI-PMH ListRecords, following resumption tokens. Thin: HTTP only.

Parsing lives in oai_parse.py; politeness (3 s gap, retries, 503 Retry-After) in http.py.
Protocol: http://www.openarchives.org/OAI/openarchivesprotocol.html#ListRecords and
https://info.arxiv.org/help/oa/index.html; must not store anything (the ingest service does).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date

from papertide.errors import InputError, SourceUnavailableError
from papertide.models import Checkpoint, ParseResult
from papertide.sources.http import PoliteFetcher
from papertide.sources.oai_parse import OaiPage, check_prefix, parse_oai_page

OAI_SOURCE = "arxiv-oai"
# An unreadable page (a truncated answer under load) is asked for again after
# MALFORMED_PAGE_BACKOFF_S, doubling each time; resumption tokens stay valid meanwhile.
MALFORMED_PAGE_RETRIES = 3
MALFORMED_PAGE_BACKOFF_S = 5.0


class OaiSource:
    """Records of one ListRecords harvest (`prefix` arXiv or arXivRaw, optional set and dates).

    After each page that has a resumption token comes Checkpoint(checkpoint_key, token); the end
    of the list gives Checkpoint(checkpoint_key, None). With `resume_token` the harvest starts
    from that token, as the protocol allows: only `verb` and `resumptionToken` are sent.
    """

    def __init__(
        self,
        fetcher: PoliteFetcher,
        *,
        base_url: str,
        prefix: str = "arXiv",
        set_spec: str | None = None,
        date_from: date | None = None,
        date_until: date | None = None,
        resume_token: str | None = None,
    ) -> None:
        check_prefix(prefix)
        if date_from and date_until and date_from > date_until:
            raise InputError(f"start date {date_from} is after end date {date_until}")
        self.name = OAI_SOURCE
        self._fetcher = fetcher
        self._base_url = base_url
        self._prefix = prefix
        self._set_spec = set_spec.strip() if set_spec and set_spec.strip() else None
        self._date_from, self._date_until = date_from, date_until
        self._resume_token = resume_token.strip() if resume_token else None

    def resume_at(self, token: str) -> None:
        """Continue from a saved resumption token (a Checkpoint's position)."""
        self._resume_token = token.strip() or None

    @property
    def checkpoint_key(self) -> str:
        """Names this harvest (URL, prefix, set, dates), not its position."""
        described = {
            "url": self._base_url,
            "prefix": self._prefix,
            "set": self._set_spec,
            "from": self._date_from.isoformat() if self._date_from else None,
            "until": self._date_until.isoformat() if self._date_until else None,
        }
        digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
        return f"{OAI_SOURCE}:{digest[:12]}"

    def first_params(self) -> dict[str, str]:
        """The arguments of the first ListRecords request (dates at day granularity)."""
        params = {"verb": "ListRecords", "metadataPrefix": self._prefix}
        if self._set_spec:
            params["set"] = self._set_spec
        if self._date_from:
            params["from"] = self._date_from.isoformat()
        if self._date_until:
            params["until"] = self._date_until.isoformat()
        return params

    def records(self) -> Iterator[ParseResult]:
        """Records and rejects page by page, in the order the service lists them."""
        token = self._resume_token
        params = self.first_params() if token is None else _resume_params(token)
        while True:
            page = self._fetch_page(params)
            yield from page.results
            if page.malformed:
                raise SourceUnavailableError(
                    f"OAI-PMH: unreadable answer to {params} ({MALFORMED_PAGE_RETRIES + 1} tries, "
                    "the last one is quarantined); run again later to resume"
                )
            if page.resumption_token is None:
                break
            if page.resumption_token == token:
                raise SourceUnavailableError(f"OAI-PMH: resumption token {token!r} repeats")
            token = page.resumption_token
            yield Checkpoint(self.checkpoint_key, token)
            params = _resume_params(token)
        yield Checkpoint(self.checkpoint_key, None)

    def _fetch_page(self, params: dict[str, str]) -> OaiPage:
        """One page; an unreadable one is asked for again, then returned for quarantine."""
        for attempt in range(MALFORMED_PAGE_RETRIES + 1):
            if attempt:
                self._fetcher.clock.sleep(MALFORMED_PAGE_BACKOFF_S * 2 ** (attempt - 1))
            response = self._fetcher.get(self._base_url, params)
            page = parse_oai_page(response.content, self._prefix, self.name)
            if not page.malformed:
                return page
        return page


def _resume_params(token: str) -> dict[str, str]:
    # resumptionToken is an exclusive argument: nothing else may accompany it (protocol 4.5)
    return {"verb": "ListRecords", "resumptionToken": token}
