"""`papertide ingest <source>`: one subcommand per source; each has its Source built (wiring)
and runs the ingest service, then prints the summary. Exit 3 when records were quarantined (unless
--allow-quarantine), 1 on errors, 130 when interrupted (what was committed stays; re-run).
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import click

from papertide.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_QUARANTINED,
    db_option,
    fail,
    ingest_progress,
    json_option,
    open_store,
    print_json,
    settings_for,
    summarise,
)
from papertide.ingest import IngestResult
from papertide.ingest import ingest as run_ingest
from papertide.models import IngestCounts
from papertide.sources.base import Source
from papertide.store.base import Store
from papertide.wiring import (
    ArxivSearch,
    OaiHarvest,
    build_arxiv_source,
    build_file_sources,
    build_hf_daily_source,
    build_oai_source,
)

FILES = click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True)
)
DAY = click.DateTime(formats=["%Y-%m-%d"])


def ingest_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--allow-quarantine",
        is_flag=True,
        help="Exit 0 even when some records were quarantined.",
    )(func)
    return db_option(json_option(func))


@click.group()
def ingest() -> None:
    """Load papers from a source into the store (safe to re-run: nothing is duplicated)."""


@ingest.command("jsonl")
@FILES
@ingest_options
def ingest_jsonl(files: tuple[str, ...], **options: Any) -> None:
    """Papers as JSON lines (our export format, arXiv-listing dumps and similar)."""
    run(options, lambda _: build_file_sources("jsonl", files))


@ingest.command("csv")
@FILES
@ingest_options
def ingest_csv(files: tuple[str, ...], **options: Any) -> None:
    """Papers as CSV with a header row (title column required)."""
    run(options, lambda _: build_file_sources("csv", files))


@ingest.command("text")
@FILES
@ingest_options
def ingest_text(files: tuple[str, ...], **options: Any) -> None:
    """A plain-text paper list: title line, then abstract paragraph, repeated."""
    run(options, lambda _: build_file_sources("text", files))


@ingest.command("snapshot")
@FILES
@ingest_options
def ingest_snapshot(files: tuple[str, ...], **options: Any) -> None:
    """The arXiv metadata snapshot (arxiv-metadata-oai-snapshot JSON lines, plain or gzip)."""
    run(options, lambda _: build_file_sources("snapshot", files))


@ingest.command("hf-daily")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--date", "first", type=DAY, help="Fetch this day from the API (YYYY-MM-DD).")
@click.option("--until", "last", type=DAY, help="With --date: fetch every day up to this one.")
@click.option("--url", help="Daily Papers API URL (default: the hf_daily_url setting).")
@ingest_options
def ingest_hf_daily(
    files: tuple[str, ...], first: datetime | None, last: datetime | None, url: str | None,
    **options: Any,
) -> None:  # fmt: skip
    """Hugging Face Daily Papers: saved API responses (FILES) or the API (--date)."""
    if files and first:
        fail("give either FILES or --date, not both")
    if files:
        run(options, lambda _: build_file_sources("hf-daily", files))
        return
    if first is None:
        fail("give saved API responses as FILES, or --date to fetch from the API")
        return
    days = day_range(first.date(), (last or first).date())
    settings = settings_for(options["db"])
    run(options, lambda _: [build_hf_daily_source(settings, days, url)])


@ingest.command("arxiv")
@click.option("--id", "ids", multiple=True, help="arXiv id or URL; repeat for several.")
@click.option("--query", help="arXiv search query, e.g. 'ti:diffusion AND abs:video'.")
@click.option("--category", "categories", multiple=True, help="e.g. cs.CL; repeat for several.")
@click.option("--from", "date_from", type=DAY, help="Submitted on or after (YYYY-MM-DD).")
@click.option("--until", "date_until", type=DAY, help="Submitted on or before (YYYY-MM-DD).")
@click.option("--max", "max_results", type=click.IntRange(min=1), help="Stop after N papers.")
@click.option("--url", help="API URL (default: the arxiv_api_url setting).")
@click.option("--restart", is_flag=True, help="Ignore a saved position and start over.")
@ingest_options
def ingest_arxiv(**options: Any) -> None:
    """The arXiv API: by --id, or by --query/--category/--from/--until with paging."""
    if not (options["ids"] or options["query"] or options["categories"]):
        fail("give --id, or --query and/or --category")
    search: ArxivSearch = {
        "ids": options["ids"],
        "query": options["query"],
        "categories": options["categories"],
        "date_from": _day(options["date_from"]),
        "date_until": _day(options["date_until"]),
        "max_results": options["max_results"],
    }
    settings = settings_for(options["db"])
    run(
        options,
        lambda store: [
            build_arxiv_source(settings, store, options["url"], options["restart"], search)
        ],
    )


@ingest.command("oai")
@click.option("--prefix", type=click.Choice(["arXiv", "arXivRaw"]), default="arXiv",
              show_default=True, help="OAI-PMH metadataPrefix.")  # fmt: skip
@click.option("--set", "set_spec", help="OAI set, e.g. cs or physics:hep-th.")
@click.option("--from", "date_from", type=DAY, help="Records changed on or after (YYYY-MM-DD).")
@click.option("--until", "date_until", type=DAY, help="Records changed on or before.")
@click.option("--url", help="OAI-PMH base URL (default: the oai_url setting).")
@click.option("--restart", is_flag=True, help="Ignore a saved resumption token; start over.")
@ingest_options
def ingest_oai(**options: Any) -> None:
    """arXiv OAI-PMH ListRecords; an interrupted harvest resumes from its last token."""
    harvest: OaiHarvest = {
        "prefix": options["prefix"],
        "set_spec": options["set_spec"],
        "date_from": _day(options["date_from"]),
        "date_until": _day(options["date_until"]),
    }
    settings = settings_for(options["db"])
    run(
        options,
        lambda store: [
            build_oai_source(settings, store, options["url"], options["restart"], harvest)
        ],
    )


def run(options: dict[str, Any], make_sources: Callable[[Store], Sequence[Source]]) -> None:
    """Ingest each source `make_sources` builds over the open store (where a harvest reads its
    saved position), print one summary line each (or JSON), and set the exit code."""
    terminated = threading.Event()  # SIGTERM stops after the batch being written
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: terminated.set())
    results: list[tuple[str, IngestResult]] = []
    try:
        with open_store(options["db"], create=True) as store:
            for source in make_sources(store):
                with ingest_progress(source.name) as update:
                    result = run_ingest(store, source, update, should_stop=terminated.is_set)
                results.append((source.name, result))
                if result.stopped:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM at a batch's end
        done = sum((r.counts for _, r in results), IngestCounts())
        fail(f"interrupted; {done.seen:,} records committed are kept. "
             "Run the same command again to finish.", EXIT_INTERRUPTED)  # fmt: skip
    finally:
        signal.signal(signal.SIGTERM, previous)
    _report(results, options["as_json"])
    errors = [r.error for _, r in results if r.error]
    if errors:
        fail("; ".join(str(e) for e in errors), EXIT_ERROR)
    if any(r.counts.quarantined for _, r in results) and not options["allow_quarantine"]:
        raise SystemExit(EXIT_QUARANTINED)


def day_range(first: date, last: date) -> list[date]:
    if last < first:
        fail("--until is before --date")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _report(results: list[tuple[str, IngestResult]], as_json: bool) -> None:
    if as_json:
        print_json([
            {"source": name, **dataclasses.asdict(r.counts)}
            | ({"lines": r.lines.as_dict()} if r.lines else {})
            for name, r in results
        ])  # fmt: skip
        return
    for name, result in results:
        click.echo(f"{name}: {summarise(result.counts)}")
        if result.lines:
            click.echo(f"  {result.lines.describe()}")
    total = sum((r.counts for _, r in results), IngestCounts())
    if total.quarantined:
        click.echo(f"{total.quarantined:,} records quarantined: see `papertide quarantine`.")


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None
