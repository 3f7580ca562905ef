"""The `papertide` command line: one command per verb. Each reads the settings once
(common.settings_for), has its services built by wiring and makes one library call. Errors
meant for users print as one line (exit 1), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from papertide import __version__
from papertide.cli.browse import daily, export, quarantine, show, stats
from papertide.cli.common import PapertideGroup, config_option
from papertide.cli.digest import digest
from papertide.cli.evaluate import evaluate
from papertide.cli.ingest import ingest
from papertide.cli.mcp import mcp
from papertide.cli.migrate import migrate
from papertide.cli.search import index, search, similar
from papertide.cli.serve import serve
from papertide.cli.setup import demo, init
from papertide.cli.sync import status, sync
from papertide.cli.users import users


@click.group(cls=PapertideGroup)
@click.version_option(__version__, prog_name="papertide")
@config_option
def main(config: Path | None) -> None:
    """papertide: a self-hostable research-paper discovery engine.

    The database is a SQLite file or a postgresql:// URL: --db on each command, else
    $PAPERTIDE_DB, else the settings file's db, else ./papertide.db. Only init, demo, ingest,
    sync, serve and migrate's TARGET create a missing SQLite file; other commands say it is
    missing.
    """


for command in (
    init,
    demo,
    ingest,
    sync,
    status,
    index,
    search,
    similar,
    stats,
    show,
    daily,
    export,
    quarantine,
    evaluate,
    digest,
    serve,
    mcp,
    migrate,
    users,
):
    main.add_command(command)
