"""One sync run: what is new at the configured sources since the last successful run goes
through the ingest pipeline, papers without arXiv metadata are enriched by id, the indexes are
brought up to date, and the run is logged in the store with what each source did.

One process at a time runs (the store's run lock "sync", shared by every worker and host).
Ingest commits whole batches with the harvest's position, so a run killed part-way leaves no
half-applied state: the next run marks it interrupted and continues from the saved position.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from papertide.clock import Clock
from papertide.config import Settings
from papertide.errors import ConflictError, InputError, PapertideError, SourceUnavailableError
from papertide.ids import try_parse_arxiv_id
from papertide.index.embed import Embedder
from papertide.index.refresh import refresh_indexes
from papertide.index.summaries import Summariser
from papertide.index.thumbnails import Thumbnails
from papertide.ingest import IngestResult, ingest
from papertide.sources.arxiv import ArxivApiSource
from papertide.sources.base import Source
from papertide.sources.hf_daily import HfDailyApiSource
from papertide.sources.http import PoliteFetcher
from papertide.sources.oai import OaiSource
from papertide.store.base import Store
from papertide.store.sync_base import FAILED, OK, SourceLog, SyncRun

SYNC_LOCK = "sync"
FIRST_SYNC_DAYS = 7  # a first run fetches the last week
ENRICH_MAX_PAPERS = 2000  # per run; the rest the next run (100 per call, 3 s apart: ~1 min)
ENRICH_PAGE_SIZE = 100
HARVESTS = ("oai", "api")
SYNC_SOURCES = (*HARVESTS, "enrich")
# arXiv's OAI-PMH sets: a group ("cs"), or "group:archive" / "group:archive:subject"
_OAI_GROUPS = {"cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"}
INTERRUPTED_REASON = "its process ended before it finished; the next run went on from there"


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What a run does, from the sync_* settings and hf_mirror."""

    categories: tuple[str, ...] = ()
    harvest: str | None = "oai"  # oai | api | None (no arXiv listing harvest)
    enrich: bool = True
    hf_mirror: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SyncPlan:
        """InputError for an unknown sync source or both harvests at once."""
        sources = [part.strip() for part in settings.sync_sources.split(",") if part.strip()]
        unknown = sorted(set(sources) - set(SYNC_SOURCES))
        if unknown:
            raise InputError(
                f"unknown sync source(s) {', '.join(unknown)}; use {', '.join(SYNC_SOURCES)}"
            )
        harvests = [source for source in sources if source in HARVESTS]
        if len(harvests) > 1:
            raise InputError("sync_sources: give oai or api, not both")
        categories = [part.strip() for part in settings.sync_categories.split(",")]
        return cls(
            categories=tuple(dict.fromkeys(category for category in categories if category)),
            harvest=harvests[0] if harvests else None,
            enrich="enrich" in sources,
            hf_mirror=settings.hf_mirror,
        )

    @property
    def configured(self) -> bool:
        """Whether there is anything to fetch (serve schedules sync only then)."""
        return bool(self.categories and self.harvest) or self.hf_mirror


@dataclass(frozen=True, slots=True)
class SyncFetchers:
    """One polite client for arXiv (OAI-PMH and the API take turns on it) and one for
    Hugging Face."""

    arxiv: PoliteFetcher
    hf: PoliteFetcher


class SyncService:
    """`run` does one sync run; ConflictError when another process is running one."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Clock,
        fetchers: SyncFetchers,
        embedder: Embedder | None = None,
        log: logging.Logger | None = None,
        thumbnails: Thumbnails | None = None,
        summariser: Summariser | None = None,
        sentences: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.plan = SyncPlan.from_settings(settings)
        self.store = store
        self.clock = clock
        self._fetchers = fetchers
        self._embedder = embedder
        self._thumbnails = thumbnails
        self._summariser = summariser
        self._sentences = sentences  # the embedder of faceted similar's sentence vectors
        self._log = log or logging.getLogger("papertide.sync")

    def run(self) -> SyncRun:
        """Fetch, enrich, refresh the indexes, make thumbnails and log the run; a source that
        cannot be reached fails its part (logged with the reason) while the others go on."""
        with self.store.run_lock(SYNC_LOCK) as held:
            if not held:
                raise ConflictError("another process is syncing; try again when it is done")
            started = self.clock.now()
            dead = self.store.end_unfinished_sync_runs(started, INTERRUPTED_REASON)
            if dead:
                self._log.warning("sync: %d earlier run(s) were interrupted; going on", dead)
            run_id = self.store.start_sync_run(started)
            logs: dict[str, SourceLog] = {}
            errors: list[str] = []
            for source in self._sources(self.since()):
                result = ingest(self.store, source)
                logs[source.name] = _source_log(result)
                if result.error is not None:
                    errors.append(f"{source.name}: {result.error}")
            try:
                refresh_indexes(
                    self.settings,
                    self.store,
                    self._embedder,
                    summariser=self._summariser,
                    sentences=self._sentences,
                )
            except PapertideError as error:
                errors.append(f"indexes: {error}")
            if self.settings.sync_thumbnails > 0 and self._thumbnails is not None:
                logs["thumbnails"] = self.make_thumbnails(self._thumbnails)
                if logs["thumbnails"]["error"]:
                    errors.append(f"thumbnails: {logs['thumbnails']['error']}")
            status = FAILED if errors else OK
            error_text = "; ".join(errors) or None
            finished = self.clock.now()
            self.store.finish_sync_run(run_id, finished, status, logs, error_text)
            return SyncRun(run_id, started, finished, status, logs, error_text)

    def make_thumbnails(self, thumbnails: Thumbnails) -> SourceLog:
        """Thumbnails for up to `sync_thumbnails` papers of the latest daily list that have
        none: each PDF fetched politely and rendered in a limited child process. A PDF that
        cannot be rendered is remembered (not fetched again); arXiv unreachable ends the step."""
        day = self.store.latest_listing_day(self.clock.now().date())
        listed = [paper.id for _, paper in self.store.listings_for(day)] if day else []
        arxiv_ids = [paper_id for paper_id in listed if try_parse_arxiv_id(paper_id)]
        made = refused = 0
        error: str | None = None
        for paper_id in thumbnails.wanted(arxiv_ids)[: self.settings.sync_thumbnails]:
            try:
                pdf = self._fetchers.arxiv.get(f"{self.settings.arxiv_pdf_url}{paper_id}")
                thumbnails.render(paper_id, pdf.content)
                made += 1
            except InputError as refusal:
                self._log.warning("sync: no thumbnail for %s: %s", paper_id, refusal)
                refused += 1
            except SourceUnavailableError as down:
                error = str(down)
                break
        return {
            "new": made,
            "updated": 0,
            "unchanged": 0,
            "quarantined": refused,
            "listings": 0,
            "failed": int(error is not None),
            "error": error,
        }

    def since(self) -> date:
        """The first day to fetch: the day before the last successful run started (records
        changed later that day are fetched again, unchanged), else FIRST_SYNC_DAYS ago."""
        last_ok = next((run for run in self.store.sync_runs(50) if run.status == OK), None)
        today = self.clock.now().date()
        if last_ok is None:
            return today - timedelta(days=FIRST_SYNC_DAYS)
        return min(last_ok.started_at.date() - timedelta(days=1), today)

    def _sources(self, since: date) -> Iterator[Source]:
        """Each source of the run, built when its turn comes (the enrichment reads the store
        after the listings came in); a harvest resumes from its saved position."""
        today = self.clock.now().date()
        settings, arxiv = self.settings, self._fetchers.arxiv
        if self.plan.harvest == "oai":
            for category in self.plan.categories:
                oai = OaiSource(
                    arxiv, base_url=settings.oai_url, set_spec=oai_set(category), date_from=since
                )
                oai.name = f"arxiv-oai:{category}"
                yield self._resumed(oai, oai.checkpoint_key)
        elif self.plan.harvest == "api" and self.plan.categories:
            api = ArxivApiSource(
                arxiv,
                base_url=settings.arxiv_api_url,
                categories=self.plan.categories,
                date_from=since,
                date_until=today,
            )
            yield self._resumed(api, api.checkpoint_key)
        if self.plan.hf_mirror:
            days = [since + timedelta(days=n) for n in range((today - since).days + 1)]
            yield HfDailyApiSource(self._fetchers.hf, base_url=settings.hf_daily_url, days=days)
        if self.plan.enrich:
            ids = [
                paper_id
                for paper_id in self.store.ids_without_categories(ENRICH_MAX_PAPERS)
                if try_parse_arxiv_id(paper_id) is not None
            ]
            if ids:
                enrich = ArxivApiSource(
                    arxiv, base_url=settings.arxiv_api_url, ids=ids, page_size=ENRICH_PAGE_SIZE
                )
                enrich.name = "enrich"
                yield enrich

    def _resumed(self, source: OaiSource | ArxivApiSource, key: str) -> Source:
        saved = self.store.get_checkpoint(key)
        if saved is not None:
            source.resume_at(saved)
        return source


def oai_set(category: str) -> str:
    """arXiv's OAI-PMH set of a category or group: cs -> cs, cs.CL -> cs:cs:CL,
    math.AG -> math:math:AG, hep-th -> physics:hep-th, astro-ph.GA -> physics:astro-ph:GA."""
    archive, _, subject = category.partition(".")
    if archive in _OAI_GROUPS and not subject:
        return archive
    group = archive if archive in _OAI_GROUPS else "physics"
    return ":".join(part for part in (group, archive, subject) if part)


def _source_log(result: IngestResult) -> SourceLog:
    counts = result.counts
    return {
        "new": counts.new,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "quarantined": counts.quarantined,
        "listings": counts.listings_new + counts.listings_updated,
        "failed": int(result.error is not None),
        "error": str(result.error) if result.error else None,
    }
