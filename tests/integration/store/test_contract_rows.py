"""The Store contract, raw rows (what `papertide migrate` copies with): export in key order
with keyset paging, import keeping keys and ids. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from papertide.errors import InputError
from papertide.models import Follow
from papertide.store.tables import TABLES, decode_key, encode_key, table_named
from tests.integration.store.conftest import START
from tests.integration.store.populate import DAY, fill_store


def all_rows(store, table: str, limit: int) -> list[tuple[object, ...]]:
    """Every row of a table, paged `limit` at a time by the last key seen."""
    spec, found, after = table_named(table), [], None
    while rows := store.export_rows(table, after, limit):
        found += rows
        after = spec.key_of(rows[-1])
    return found


def test_store_export_rows_pages_by_key_in_bytewise_order(store):
    fill_store(store, papers=5)
    [ada] = [u for u in (store.user_by_id(1), store.user_by_id(2)) if u and u.username == "Ada"]
    for value in ("beta", "Alpha", "_x"):
        store.set_follow(ada.id, Follow("keyword", value), True)
    follows = all_rows(store, "follows", 2)
    assert [row[2] for row in follows if row[1] == "keyword"] == ["Alpha", "_x", "beta"]
    listings = all_rows(store, "listings", 1)
    assert [(row[0], row[1]) for row in listings] == sorted((row[0], row[1]) for row in listings)
    assert listings[0][0] == DAY
    assert all_rows(store, "papers", 2) == store.export_rows("papers", None, 100)
    assert len(all_rows(store, "paper_authors", 3)) == 10


def test_store_export_rows_gives_plain_values(store, clock):
    fill_store(store, papers=3)
    [paper] = store.export_rows("papers", None, 1)
    assert paper[:2] == (1, "2603.00001")
    assert paper[5:7] == (["Zoë Ångström", "Author 1"], ["cs.CL", "cs.LG"])
    assert paper[14] == [["code", "https://github.com/a/p1"]]
    assert paper[16] == clock.now() and paper[16].utcoffset() == timedelta(0)
    [user] = store.export_rows("users", None, 1)
    assert user == (1, "Ada", "ada@example.org", "hash-a", True, START, None)
    [embedding] = store.export_rows("embeddings", None, 1)
    assert isinstance(embedding[4], bytes) and len(embedding[4]) == 16


def test_store_import_rows_keeps_ids_skips_present_keys_and_saves_checkpoint(store):
    fill_store(store, papers=3)
    source = {table.name: store.export_rows(table.name, None, 1000) for table in TABLES}
    assert store.import_rows("users", source["users"], checkpoint=("copy", "users")) == 0
    assert store.get_checkpoint("copy") == "users"
    row = (7, "carol", None, "hash-c", False, START, None)
    assert store.import_rows("users", [row]) == 1
    assert store.import_rows("users", [row]) == 0
    assert store.user_by_id(7).username == "carol"
    assert store.create_user("dave", None, "h").id == 8  # ids continue after imported ones
    assert store.count_rows("users") == 4
    assert store.import_rows("checkpoints", [], checkpoint=("copy", None)) == 0
    assert store.get_checkpoint("copy") is None


def test_store_import_rows_of_papers_makes_them_readable(store, tmp_path):
    from papertide.clock import FixedClock
    from papertide.store.sqlite import SqliteStore

    other = SqliteStore(tmp_path / "other.db", FixedClock())
    other.migrate()
    fill_store(other, papers=4)
    for table in ("papers", "paper_versions", "paper_authors", "paper_categories", "listings"):
        assert store.import_rows(table, other.export_rows(table, None, 100)) > 0
    assert store.get_paper("2603.00002") == other.get_paper("2603.00002")
    assert store.listings_for(DAY) == other.listings_for(DAY)
    assert store.papers_by_author("zoë ångström", 10) == []  # non-ASCII letters keep their case
    assert len(store.papers_by_author("ZOë ÅNGSTRöM", 10)) == 4  # ASCII letters in any case
    other.close()


def test_store_rows_of_an_unknown_table_are_refused(store):
    with pytest.raises(InputError, match="no table 'sqlite_master'"):
        store.export_rows("sqlite_master", None, 1)
    with pytest.raises(InputError, match="no table"):
        store.count_rows("papers; DROP TABLE papers")


def test_keys_survive_their_checkpoint_text():
    listings = table_named("listings")
    key = (DAY, "2603.00001")
    assert decode_key(listings, encode_key(key)) == key
    assert decode_key(table_named("papers"), encode_key((42,))) == (42,)
