"""`papertide sync` (one run, as `serve` does on its schedule; for cron) and `papertide status`
(when data last arrived, what came in, what failed)."""

from __future__ import annotations

import click

from papertide.cli.common import db_option, fail, json_option, open_store, print_json, settings_for
from papertide.clock import SystemClock
from papertide.sync.service import SyncPlan
from papertide.sync.status import describe, run_json, sync_status
from papertide.wiring import build_sync


@click.command()
@db_option
@json_option
def sync(db: str | None, as_json: bool) -> None:
    """Fetch what is new at the configured sources (sync_categories through arXiv OAI-PMH or
    the API, the Hugging Face daily list with hf_mirror), fill in papers without arXiv
    categories, refresh the search indexes and log the run. Exit 1 when a part failed (it is
    logged; run again to go on) or another process is syncing."""
    settings = settings_for(db)
    if not SyncPlan.from_settings(settings).configured and not as_json:
        click.echo("nothing to fetch: set sync_categories or hf_mirror (docs/settings.md)")
    with open_store(db, create=True) as store:
        run = build_sync(settings, store).run()
    if as_json:
        print_json(run_json(run))
    else:
        click.echo(describe(run))
    if run.error:
        fail(f"sync run {run.id} failed: {run.error}")


@click.command()
@db_option
@json_option
def status(db: str | None, as_json: bool) -> None:
    """When data last arrived: the newest daily list, the last sync runs (per source: new,
    updated, unchanged, quarantined, failed) and when the next one is due under serve."""
    settings = settings_for(db)
    with open_store(db) as store:
        report = sync_status(store, SystemClock().now(), settings)
    report["sync_configured"] = SyncPlan.from_settings(settings).configured
    if as_json:
        print_json(report)
        return
    click.echo(f"newest daily list: {report['newest_listing'] or 'none'}")
    click.echo(f"last successful sync: {report['last_sync'] or 'never'}")
    if report["sync_configured"]:
        click.echo(f"next sync under serve: {report['next_sync']}")
    else:
        click.echo("sync is not configured (set sync_categories or hf_mirror)")
    for run in report["runs"]:
        click.echo(run["summary"])
