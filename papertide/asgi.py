"""The app uvicorn serves (`papertide serve` runs `papertide.asgi:app_from_env` in each worker):
services built by papertide.wiring from the settings, handed to the web tier's create_app."""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI

from papertide.config import load_settings
from papertide.digest.schedule import DigestScheduler
from papertide.sync.schedule import SyncScheduler
from papertide.sync.service import SyncPlan
from papertide.web.app import create_app
from papertide.web.cache import PageCache
from papertide.wiring import build_sync, build_web_services


def app_from_env() -> FastAPI:
    """The whole site, settings from PAPERTIDE_* variables."""
    # as in the CLI: not a warning per failed reconnect of the pool (a worker process does not
    # inherit the CLI's logging); each 503 logs the database's reason once (web/api/errors.py)
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    services = build_web_services(load_settings(os.environ))
    ttl_s = services.settings.page_cache_ttl_s
    cache = PageCache(services.clock, ttl_s=ttl_s, stale_s=ttl_s) if ttl_s > 0 else None
    # with a mail server, every worker schedules; the send lock lets one send at a time
    mailing = services.settings.smtp_host != ""
    scheduler = DigestScheduler(services.digests.send_due) if mailing else None
    # with sync configured, every worker checks each minute; the sync lock lets one run
    syncing = None
    if SyncPlan.from_settings(services.settings).configured:
        embedder = services.search.embedder  # the static one: load it once per worker
        sync = build_sync(services.settings, services.store, services.clock, embedder)
        syncing = SyncScheduler(sync, services.clock)
    return create_app(
        services,
        close_store=True,
        page_cache=cache,
        scheduler=scheduler,
        sync_scheduler=syncing,
        freeze_heap=True,
        request_threads=services.settings.request_threads or None,
    )
