import sqlite3
from contextlib import closing

import pytest

from papertide.clock import FixedClock
from papertide.errors import StoreError
from papertide.models import Paper, Record
from papertide.store.base import read_migrations
from papertide.store.sqlite import SqliteStore
from papertide.store.sqlite.connection import MIGRATIONS
from papertide.store.sqlite.papers import LOAD_INDEXES


def make(pid: str = "2501.00001", **fields: object) -> Paper:
    base: dict[str, object] = {
        "id": pid,
        "title": f"Paper {pid}",
        "abstract": "About graph neural networks.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.LG", "cs.AI"),
    }
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


def test_migrate_twice_applies_nothing_the_second_time(tmp_path):
    store = SqliteStore(tmp_path / "m.db", FixedClock())
    applied = store.migrate()
    assert applied == sorted(
        m.name for m in read_migrations(MIGRATIONS)
    )  # every one, in number order
    assert applied[:5] == [
        "m001_papers",
        "m002_fts",
        "m003_seen_lines",
        "m004_embeddings",
        "m005_community",
    ]
    assert store.migrate() == []


def test_a_store_at_the_previous_schema_upgrades_and_drops_its_fts5_index(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for migration in read_migrations(MIGRATIONS):
        if migration.name < "m009":  # the schema before the FTS5 index left the write path
            conn.executescript(migration.sql)
            conn.execute("INSERT INTO schema_migrations VALUES (?, '')", (migration.name,))
    store = SqliteStore(db, FixedClock())
    store.write_batch([Record(make(title="Quantum kittens", version=1))], [])
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")  # as the store kept it
    assert conn.execute(
        "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'kittens'"
    ).fetchone() == (1,)

    assert store.migrate()[0] == "m009_no_fts"  # then any later migration

    left = conn.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'papers_fts%' OR type = 'trigger'"
    ).fetchall()
    assert left == []
    store.write_batch([Record(make(title="Classical puppies", version=2))], [])  # no trigger fires
    paper = store.get_paper("2501.00001")
    assert paper is not None and paper.title == "Classical puppies"
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert store.migrate() == []


def test_opening_a_non_database_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open .* as a papertide database"):
        SqliteStore(junk, FixedClock())


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no directory"):
        SqliteStore(tmp_path / "nope" / "t.db", FixedClock())


def test_write_batch_gives_its_larger_page_cache_back(store):
    usual = store._conn.execute("PRAGMA cache_size").fetchone()
    store.write_batch([Record(make())], [])
    assert store._conn.execute("PRAGMA cache_size").fetchone() == usual
    with pytest.raises(sqlite3.Error):  # a batch that fails part-way gives it back too
        store.write_batch([Record(make("2501.00002"))], [], None, [object()])
    assert store.get_paper("2501.00002") is None  # rolled back
    assert store._conn.execute("PRAGMA cache_size").fetchone() == usual


def query(store: SqliteStore, sql: str, *params: str) -> list[tuple[str, ...]]:
    """Rows of `sql` read through a connection of its own (as another process would)."""
    with closing(sqlite3.connect(store.path)) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def schema(store: SqliteStore) -> list[tuple[str, ...]]:
    return query(store, "SELECT name, sql FROM sqlite_master ORDER BY name")


def index_names(store: SqliteStore) -> set[str]:
    return {row[0] for row in query(store, "SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_load_into_an_empty_store_builds_the_read_indexes_at_its_end(store):
    migrated = schema(store)
    with store.bulk_load():
        assert index_names(store).isdisjoint(LOAD_INDEXES)
        store.write_batch([Record(make())], [])
    assert schema(store) == migrated  # the same statements, so the same indexes
    plan = query(
        store,
        "EXPLAIN QUERY PLAN SELECT paper_id FROM paper_authors WHERE name = ? COLLATE NOCASE",
        "alan turing",
    )
    assert "paper_authors_name" in " ".join(row[-1] for row in plan)
    assert [p.id for p in store.papers_by_author("ALAN TURING", 5)] == ["2501.00001"]


def test_a_load_into_a_store_with_papers_keeps_its_indexes(store):
    store.write_batch([Record(make())], [])
    with store.bulk_load():
        assert index_names(store).issuperset(LOAD_INDEXES)
        store.write_batch([Record(make("2501.00002"))], [])
    assert index_names(store).issuperset(LOAD_INDEXES)


def test_a_failed_load_builds_its_indexes_and_a_killed_one_gets_them_at_the_next_migrate(store):
    with pytest.raises(OSError), store.bulk_load():
        raise OSError("disk full")
    assert index_names(store).issuperset(LOAD_INDEXES)
    query(store, "DROP INDEX paper_authors_name")  # what a load killed mid-way leaves
    assert "paper_authors_name" not in index_names(store)
    assert store.migrate() == []
    assert index_names(store).issuperset(LOAD_INDEXES)
