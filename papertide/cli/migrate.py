"""`migrate`: copy a store into an empty one, on either engine, resumably, and verify it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from papertide.cli.common import fail, json_option, open_store, print_json, progress_counter
from papertide.migrate import MIGRATE_BATCH_ROWS, MigrateReport, describe_db, migrate_store


@click.command()
@click.argument("source")
@click.argument("target")
@click.option(
    "--batch-rows",
    type=click.IntRange(1, 100_000),
    default=MIGRATE_BATCH_ROWS,
    show_default=True,
    help="Rows per committed batch (each saves a checkpoint).",
)
@json_option
def migrate(source: str, target: str, batch_rows: int, as_json: bool) -> None:
    """Copy the store SOURCE into the empty store TARGET, then verify every table (row counts
    and checksums). Each is a SQLite file (or sqlite:///path) or a postgresql:// URL.
    Interrupted, the same command resumes after the last committed batch and copies nothing
    twice. Stop everything that writes to SOURCE first; index TARGET afterwards."""
    if describe_db(source) == describe_db(target):
        fail("SOURCE and TARGET are the same database")
    with (
        open_store(source) as origin,  # an error if missing, like every command that reads
        open_store(target, create=True) as copy,
        table_progress() as update,
    ):
        report = migrate_store(origin, copy, describe_db(source), batch_rows, update)
    if as_json:
        print_json(report_json(report))
    else:
        print_report(report)
    if not report.ok:
        bad = ", ".join(check.table for check in report.checks if not check.ok)
        fail(f"the copy differs from the source in: {bad}")


@contextmanager
def table_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A live line on stderr (on a terminal): rows copied, and where in which table."""
    finished: dict[str, int] = {}
    with progress_counter("migrate", "rows") as update:

        def show(table: str, done: int, total: int) -> None:
            finished[table] = done
            update(sum(finished.values()), f"{table} {done:,}/{total:,}")

        yield show


def report_json(report: MigrateReport) -> dict[str, object]:
    copied = dict(report.copied)
    return {
        "ok": report.ok,
        "resumed": report.resumed,
        "tables": [
            {
                "table": check.table,
                "copied": copied.get(check.table, 0),
                "source_rows": check.source_rows,
                "target_rows": check.target_rows,
                "source_checksum": check.source_checksum,
                "target_checksum": check.target_checksum,
                "ok": check.ok,
            }
            for check in report.checks
        ],
    }


def print_report(report: MigrateReport) -> None:
    copied = dict(report.copied)
    click.echo(f"{'table':<20} {'copied':>10} {'source':>10} {'target':>10}  checksum")
    for check in report.checks:
        verdict = "ok" if check.ok else f"DIFFERS ({check.source_checksum[:8]}…)"
        click.echo(
            f"{check.table:<20} {copied.get(check.table, 0):>10,} {check.source_rows:>10,}"
            f" {check.target_rows:>10,}  {verdict}"
        )
    how = "resumed and finished" if report.resumed else "finished"
    click.echo(f"copy {how}; " + ("verified." if report.ok else "verification FAILED."))
