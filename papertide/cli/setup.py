"""Setting up a store: `init` creates it, `demo` loads the bundled demo corpus into it."""

from __future__ import annotations

from importlib import resources

import click

from papertide.cli.common import db_option, open_store, settings_for
from papertide.cli.ingest import run
from papertide.demo import DEMO_DAILY, DEMO_PAPERS, demo_days, record_demo
from papertide.wiring import build_file_sources

DEMO_PACKAGE = "papertide.demo"


@click.command()
@db_option
def init(db: str | None) -> None:
    """Create the database (or bring its schema up to date); safe to run again."""
    with open_store(db, create=True):
        pass
    click.echo(f"Database ready: {settings_for(db).db}")


@click.command()
@db_option
def demo(db: str | None) -> None:
    """Load the bundled demo corpus: 20,000+ arXiv cs papers and 120 days of Daily Papers.

    The store notes that it holds the demo and its listing days; the site shows them."""
    folder = resources.files(DEMO_PACKAGE)
    with (
        resources.as_file(folder / DEMO_PAPERS) as papers,
        resources.as_file(folder / DEMO_DAILY) as days,
    ):
        options = {"db": db, "as_json": False, "allow_quarantine": False}
        run(
            options,
            lambda _: [
                *build_file_sources("jsonl", [papers]),
                *build_file_sources("hf-daily", [days]),
            ],
        )
        with open_store(db) as store:  # the site says it shows the demo, and which days
            record_demo(store, demo_days(days))
