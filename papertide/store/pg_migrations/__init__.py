"""Numbered PostgreSQL schema migrations (mNNN_name.py, each with a SQL string), applied in order
once by PostgresStore.migrate. The SQLite ones live in store/migrations/."""

from __future__ import annotations

import importlib
import pkgutil

from papertide.store.migrations import Migration


def load_migrations() -> list[Migration]:
    """All migrations of this package, sorted by their number."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name[0] == "m")
    return [Migration(name, importlib.import_module(f"{__name__}.{name}").SQL) for name in names]
