"""`serve`: run the web site and JSON API with uvicorn (factory mode, one or more workers)."""

from __future__ import annotations

import os
import socket
from typing import Any

import click
import uvicorn

from papertide.cli.common import config_path, db_option, open_store, settings_for
from papertide.cli.workers import SPREAD, SpreadWorkers
from papertide.config import CONFIG_VARIABLE
from papertide.index.paths import index_paths
from papertide.index.refresh import refresh_indexes
from papertide.secret_key import load_secret_key
from papertide.sync.service import SyncPlan
from papertide.web.welcome import welcome_lines

APP_FACTORY = "papertide.asgi:app_from_env"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (they share the database and its rate limits).")  # fmt: skip
@click.option("--access-log", is_flag=True,
              help="Log every request to stderr (off by default: it costs speed).")  # fmt: skip
@db_option
def serve(host: str, port: int, workers: int, access_log: bool, db: str | None) -> None:
    """Serve the web site: the daily list at /, paper pages at /papers/{id}, search, accounts,
    feeds and the JSON API (/api/..., documented at /docs)."""
    settings = settings_for(db)
    index_paths(settings)  # PostgreSQL without index_dir: say so now, not in every worker
    SyncPlan.from_settings(settings)  # a bad sync_sources: likewise
    # create, migrate and index once, before any worker starts
    with open_store(db, create=True) as store:
        # workers would otherwise each create a missing lexical index, wiping each other's;
        # the lock keeps another serve or index started at the same moment out too
        synced = refresh_indexes(settings, store).lexical
        if synced.added:
            click.echo(f"lexical index: {synced.added:,} papers added", err=True)
    load_secret_key(settings)  # likewise the <db>.secret key file the workers share
    # what the workers' app_from_env reads: the same settings file, and --db over it
    config = config_path()
    if config is not None:
        os.environ[CONFIG_VARIABLE] = str(config.resolve())
    os.environ["PAPERTIDE_DB"] = settings.db
    if not settings.base_url:  # links in feeds (and emails the workers send) point here
        os.environ["PAPERTIDE_BASE_URL"] = listen_url(host, port)
        click.echo(f"links in feeds and emails start with {listen_url(host, port)}"
                   " (set base_url to the public address)", err=True)  # fmt: skip
    click.echo(f"papertide serves {settings.db}", err=True)
    click.echo("\n".join(welcome_lines(host, port)), err=True)
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        # forwarded headers only from the configured proxies: from anyone else a rotating
        # X-Forwarded-For would dodge the per-address login and sign-up limits
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        "log_level": "info",
        "access_log": access_log,
    }
    if workers == 1 or not SPREAD:
        uvicorn.run(APP_FACTORY, **options)
        return
    try:  # a listening socket per worker (cli/workers.py)
        supervisor = SpreadWorkers(uvicorn.Config(APP_FACTORY, **options))
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from error
    supervisor.run()


def listen_url(host: str, port: int) -> str:
    """The address serve answers on, as a browser on another machine would name it."""
    name = socket.getfqdn() if host in WILDCARD_HOSTS else host
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"
