"""The store's shape as issue #11 set it: both engines list the same file names, and no store
module grows past 400 lines (a protocol that grows splits by area into `store/*_base.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

STORE = Path(__file__).resolve().parents[1] / "papertide" / "store"
MAX_LINES = 400
# migrations that exist on one engine only: a step one engine's schema needed and the other's
# never did (SQLite's m006, PostgreSQL's m024)
ONE_ENGINE_MIGRATIONS = {"m006_embedding_seq.py", "m024_papers_inline.py"}


def module_names(engine: str, sub: str = "") -> set[str]:
    return {p.name for p in (STORE / engine / sub).glob("*.py")}


def test_both_engines_list_the_same_files() -> None:
    assert module_names("sqlite") == module_names("postgres")
    sqlite, postgres = module_names("sqlite", "migrations"), module_names("postgres", "migrations")
    assert sqlite ^ postgres == ONE_ENGINE_MIGRATIONS


@pytest.mark.parametrize(
    "path", sorted(STORE.rglob("*.py")), ids=lambda p: str(p.relative_to(STORE))
)
def test_no_store_module_over_400_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_LINES
