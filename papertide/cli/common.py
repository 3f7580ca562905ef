"""What every command shares: error handling, the --db and --json options, opening the store,
printing, and the ingest progress display. No command logic here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from papertide.config import Settings, load_settings, sqlite_file
from papertide.errors import PapertideError
from papertide.models import IngestCounts
from papertide.store.base import Store
from papertide.wiring import build_store

F = TypeVar("F", bound=Callable[..., Any])
SETTINGS_KEY = "papertide.settings"
EXIT_ERROR = 1
EXIT_QUARANTINED = 3
EXIT_INTERRUPTED = 130


class PapertideGroup(click.Group):
    """A click group that turns user-facing errors into one line on stderr and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        # the pool logs each failed reconnect (a traceback); the one-line error says it all
        logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
        try:
            return super().invoke(ctx)
        except PapertideError as error:
            fail(str(error))
        except sqlite3.Error as error:
            fail(f"database error: {error}")
        except BrokenPipeError:
            sys.stderr.close()  # output piped into `head`: stop quietly
        except Exception as error:
            if not is_psycopg_error(error):
                raise
            fail(f"database error: {postgres_message(error)}")
        return None


def is_psycopg_error(error: BaseException) -> bool:
    """Whether this is a PostgreSQL driver error. psycopg is optional, and was imported
    already if it raised: looked up, never imported here."""
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)


def postgres_message(error: Any) -> str:
    """The server's message and hint on one line (not the echoed statement and its caret)."""
    primary = error.diag.message_primary or str(error).strip().split("\n")[0]
    hint = error.diag.message_hint
    return f"{primary} ({hint})" if hint else str(primary)


def fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


def db_option(func: F) -> F:
    """--db PATH|URL: the store to use; falls back to $PAPERTIDE_DB, then ./papertide.db."""
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        default=None,
        help="SQLite file (or sqlite:///path), or a postgresql://user:password@host/name URL."
        " Default: $PAPERTIDE_DB, else the settings file's db, else ./papertide.db.",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def config_option(func: F) -> F:
    """--config PATH: the TOML settings file every command reads (docs/settings.md)."""
    return click.option(
        "--config",
        "config",
        metavar="PATH",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="TOML settings file (docs/settings.md). Default: $PAPERTIDE_CONFIG, else none."
        " Environment variables override it, command options override both.",
    )(func)


def config_path() -> Path | None:
    """The settings file given with `--config`; None without (then $PAPERTIDE_CONFIG)."""
    context = click.get_current_context(silent=True)
    return context.find_root().params.get("config") if context is not None else None


def loaded_settings() -> Settings:
    """The file and environment settings, read once per command (kept in its click context)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return load_settings(os.environ)
    loaded = context.meta.get(SETTINGS_KEY)
    if loaded is None:
        loaded = context.meta[SETTINGS_KEY] = load_settings(os.environ, config_path())
    assert isinstance(loaded, Settings)
    return loaded


def settings_for(db: str | None) -> Settings:
    """The settings, with `--db` (when given) in place of db. A db_replica belongs to the
    configured db only: another database named by `--db` (`migrate`'s two) reads no replica."""
    settings = loaded_settings()
    if not db or db == settings.db:
        return settings
    return dataclasses.replace(settings, db=db, db_replica="")


@contextmanager
def open_store(db: str | None, create: bool = False) -> Iterator[Store]:
    """The store the command names; unless `create` (the commands that fill a store), a
    SQLite file that does not exist is an error, not a new empty database that answers
    "0 results" to a mistyped --db."""
    settings = settings_for(db)
    path = sqlite_file(settings.db)
    if not create and path is not None and not path.exists():
        fail(f"no database at {path}; `papertide init`, `demo` or `ingest` creates one")
    store = build_store(settings)
    try:
        yield store
    finally:
        store.close()


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def stderr_console() -> Console:
    return Console(stderr=True)


@contextmanager
def progress_counter(label: str, unit: str = "records") -> Iterator[Callable[[int, str], None]]:
    """A live line on stderr: count, detail text, rate per second (only on a terminal)."""
    console = stderr_console()
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed:,.0f} " + unit),
        TextColumn("{task.fields[rate]} {task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=None, detail="", rate="")

        def update(done: int, detail: str = "") -> None:
            elapsed = progress.tasks[0].elapsed or 0.0
            rate = f"· {done / elapsed:,.0f}/s ·" if elapsed > 0 else "·"
            progress.update(task, completed=done, detail=detail, rate=rate)

        yield update


@contextmanager
def ingest_progress(label: str) -> Iterator[Callable[[IngestCounts], None]]:
    """progress_counter fed with ingest counts."""
    with progress_counter(label) as update:
        yield lambda counts: update(counts.seen, summarise(counts))


def summarise(counts: IngestCounts) -> str:
    text = (
        f"{counts.new:,} new, {counts.updated:,} updated, {counts.unchanged:,} unchanged, "
        f"{counts.quarantined:,} quarantined"
    )
    if counts.listings_new or counts.listings_updated:
        text += f"; listings {counts.listings_new:,} new, {counts.listings_updated:,} updated"
    return text
