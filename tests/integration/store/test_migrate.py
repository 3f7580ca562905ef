"""migrate_store across engines: SQLite -> PostgreSQL -> SQLite gives back every row, a copy
interrupted anywhere resumes without doubling a row, and verification notices a difference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.clock import FixedClock
from papertide.errors import InputError
from papertide.migrate import MARK, canonical_row, migrate_store, verify_table
from papertide.store.postgres import PostgresStore
from papertide.store.sqlite import SqliteStore
from papertide.store.tables import TABLES, table_named
from tests.integration.store.conftest import START
from tests.integration.store.populate import fill_store

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sqlite_source(tmp_path: Path, clock: FixedClock) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "source.db", clock)
    store.migrate()
    fill_store(store)
    yield store
    store.close()


@pytest.fixture
def pg_target(pg_url: str, clock: FixedClock) -> Iterator[PostgresStore]:
    store = PostgresStore(pg_url, clock)
    yield store
    store.close()


def canonical_tables(store) -> dict[str, list[bytes]]:
    """Every table as sorted canonical rows (engine-neutral, order-free)."""
    return {
        table.name: sorted(canonical_row(row) for row in store.export_rows(table.name, None, 10**6))
        for table in TABLES
    }


def test_migrate_sqlite_to_postgres_and_back_keeps_every_row(
    sqlite_source, pg_target, tmp_path, clock
):
    there = migrate_store(sqlite_source, pg_target, "source.db", batch_rows=7)
    assert there.ok and not there.resumed
    assert {check.table for check in there.checks} == {table.name for table in TABLES}
    assert dict(there.copied)["papers"] == 30
    assert all(check.source_rows for check in there.checks)  # every table was exercised
    back = SqliteStore(tmp_path / "back.db", clock)
    back.migrate()
    assert migrate_store(pg_target, back, "pg", batch_rows=1000).ok
    assert canonical_tables(back) == canonical_tables(sqlite_source)
    assert back.get_checkpoint(f"{MARK}papers") is None  # the copy's own checkpoints are gone
    assert back.upvotes(["2603.00001"]) == sqlite_source.upvotes(["2603.00001"])
    assert back.trending_signals(START.date(), START.date().replace(day=9)) == (
        pg_target.trending_signals(START.date(), START.date().replace(day=9))
    )
    back.close()


class StopCopyError(Exception):
    """Raised from the progress callback: the copy stops as a killed process would."""


def test_migrate_interrupted_anywhere_resumes_and_never_doubles(sqlite_source, pg_target):
    calls = 0

    def stop_at(when: int):
        def progress(table: str, _done: int, _total: int) -> None:
            nonlocal calls
            calls += 1
            if calls == when:
                raise StopCopyError(table)

        return progress

    stopped = []
    for when in (3, 9, 40, 10**9):  # three places, each after the last, then to the end
        try:
            report = migrate_store(sqlite_source, pg_target, "source.db", 5, stop_at(when))
        except StopCopyError as stop:
            stopped.append(str(stop))
            calls = 0
    assert stopped == ["papers", "paper_versions", "embeddings"]
    assert report.ok and report.resumed
    assert dict(report.copied)["papers"] == 0  # all copied by the interrupted runs
    assert pg_target.count_rows("papers") == 30 == sqlite_source.count_rows("papers")
    assert pg_target.create_user("carol", None, "h").id == 3  # ids continue after the copy


def test_migrate_refuses_a_target_with_other_data(sqlite_source, pg_target, tmp_path, clock):
    pg_target.create_user("someone", None, "h")
    with pytest.raises(InputError, match=r"not empty \(it has users\)"):
        migrate_store(sqlite_source, pg_target, "source.db")
    other = SqliteStore(tmp_path / "other.db", clock)
    other.migrate()
    other.import_rows("checkpoints", [], checkpoint=(f"{MARK}source", "elsewhere.db"))
    with pytest.raises(InputError, match=r"unfinished copy of elsewhere\.db, not of source\.db"):
        migrate_store(sqlite_source, other, "source.db")
    other.close()


def test_verify_table_notices_a_changed_or_missing_row(sqlite_source, pg_target):
    assert migrate_store(sqlite_source, pg_target, "source.db").ok
    users = table_named("users")
    assert verify_table(sqlite_source, pg_target, users).ok
    pg_target.set_admin(2, True)
    changed = verify_table(sqlite_source, pg_target, users)
    assert not changed.ok and changed.source_rows == changed.target_rows == 2
    assert changed.source_checksum != changed.target_checksum
    sqlite_source.create_user("carol", None, "h")
    assert verify_table(sqlite_source, pg_target, users).source_rows == 3


def test_migrate_keeps_its_checkpoints_while_the_copy_differs(sqlite_source, pg_target):
    pg_target.import_rows("users", [(9, "early", None, "h", False, START, None)])
    pg_target.import_rows("checkpoints", [], checkpoint=(f"{MARK}source", "source.db"))
    report = migrate_store(sqlite_source, pg_target, "source.db")  # resumes onto the extra row
    assert report.resumed and not report.ok
    assert [check.table for check in report.checks if not check.ok] == ["users"]
    assert pg_target.get_checkpoint(f"{MARK}users") == "done"  # kept: nothing is claimed clean
