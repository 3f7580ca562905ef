"""Read replicas: a PostgresStore with `replica_url` against a real streaming standby of its own
primary (pg_basebackup -R). Paper data is read on the standby, everything users write on the
primary; a standby that is down is skipped; writes never reach it. Replay is paused on the
standby to show which server a read went to. These tests use their own clusters."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.errors import InputError, StoreError
from papertide.models import Listing, Paper, Record
from papertide.store.postgres import PostgresStore
from papertide.store.postgres.connection import REPLICA_RETRY_S
from papertide.store.vectors_base import EmbeddingRow
from papertide.wiring import build_store
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.postgres
DB = "replicated"
DECOY = "decoy"  # a writable database standing in for a replica, to see where writes land
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = START.date()
CAUGHT_UP_TIMEOUT_S = 30
WARNING = "read replica unavailable"


@pytest.fixture(scope="module")
def primary() -> Iterator[PgCluster]:
    cluster = PgCluster.create()
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            for name in (DB, DECOY):
                conn.execute(f"CREATE DATABASE {name}".encode())
        for name in (DB, DECOY):
            migrated = PostgresStore(cluster.url(name), FixedClock())
            migrated.migrate()
            migrated.close()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def standby(primary: PgCluster) -> Iterator[PgCluster]:
    cluster = primary.standby()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def store(primary: PgCluster, standby: PgCluster, clock: FixedClock) -> Iterator[PostgresStore]:
    opened = PostgresStore(primary.url(DB), clock, replica_url=standby.url(DB))
    yield opened
    opened.close()


def paper(pid: str, author: str = "Ada Lovelace", category: str = "cs.LG") -> Paper:
    return Paper(
        id=pid,
        title=f"Paper {pid}",
        abstract="About sparse attention.",
        authors=(author,),
        categories=(category,),
        published=START,
    )


def caught_up(primary: PgCluster, standby: PgCluster) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    with psycopg.connect(primary.url(DB), autocommit=True) as conn:
        row = conn.execute(b"SELECT pg_current_wal_lsn()").fetchone()
    assert row is not None
    deadline = time.monotonic() + CAUGHT_UP_TIMEOUT_S
    with psycopg.connect(standby.url(DB), autocommit=True) as conn:
        while True:
            done = conn.execute(
                b"SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", (row[0],)
            ).fetchone()
            if done and done[0]:
                return
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.02)


@contextmanager
def replay_paused(primary: PgCluster, standby: PgCluster) -> Iterator[None]:
    """The standby, caught up, stops replaying: what the primary writes now it does not see."""
    caught_up(primary, standby)
    with psycopg.connect(standby.url(DB), autocommit=True) as conn:
        conn.execute(b"SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + CAUGHT_UP_TIMEOUT_S
        while conn.execute(b"SELECT pg_get_wal_replay_pause_state()").fetchone() != ("paused",):
            assert time.monotonic() < deadline, "replay did not pause"
            time.sleep(0.02)
        try:
            yield
        finally:
            conn.execute(b"SELECT pg_wal_replay_resume()")


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()
    return int(row[0]) if row else 0


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "papertide.store"]


def test_replica_serves_paper_data_while_votes_read_the_primary(store, primary, standby):
    store.write_batch([Record(paper("2601.00001", "Grace Hopper", "cs.DB"))], [])
    voter = store.create_user("voter", None, "hash")
    with replay_paused(primary, standby):
        papers = store.stats().papers
        store.write_batch([Record(paper("2601.00002", "Grace Hopper", "cs.DB"))], [])
        store.set_vote(voter.id, "2601.00001", True)
        # paper data comes from the paused standby: the new paper is not there yet
        assert [p.id for p in store.papers_by_author("Grace Hopper", 10)] == ["2601.00001"]
        assert [p.id for p in store.papers_in_category("cs.DB", 10)] == ["2601.00001"]
        assert store.stats().papers == papers
        # votes come from the primary: the voter sees the vote at once
        assert store.upvotes(["2601.00001"]) == {"2601.00001": 1}
        assert store.voted(voter.id, ["2601.00001", "2601.00002"]) == {"2601.00001"}
        # a point lookup finds the new paper: what the standby lacks is read on the primary
        found = store.get_paper("2601.00002")
        assert found is not None and found.authors == ("Grace Hopper",)
    caught_up(primary, standby)
    by_author = store.papers_by_author("Grace Hopper", 10)
    assert sorted(p.id for p in by_author) == ["2601.00001", "2601.00002"]
    assert store.stats().papers == papers + 1


def test_replica_lag_never_hides_a_users_own_writes(store, primary, standby):
    with replay_paused(primary, standby):
        user = store.create_user("reader", "reader@example.org", "hash")
        store.save_session("token-hash", user.id, START + timedelta(days=1))
        # a web submit: the paper is fetched and stored, then listed on today's page
        store.write_batch([Record(paper("2601.00010"))], [])
        assert store.add_listing(Listing(DAY, "2601.00010", 0, submitted_by="reader"))
        comment = store.add_comment(user.id, "2601.00010", "Nice result.")
        store.add_to_collection(user.id, "Reading", "2601.00010")
        pk = next(t.paper_pk for t in store.embed_tasks("m") if t.paper_id == "2601.00010")
        store.save_embeddings("m", [EmbeddingRow(pk, "c", "t", b"\x00\x3c" * 4)])

        assert store.session_user("token-hash") == user
        assert store.user_login("reader@example.org") == (user, "hash")
        assert [(lst.paper_id, p.id) for lst, p in store.listings_for(DAY)] == [
            ("2601.00010", "2601.00010")
        ]
        assert [p.id for _, p in store.listings_between(DAY, DAY)] == ["2601.00010"]
        assert [lst.submitted_by for lst in store.listings_of("2601.00010")] == ["reader"]
        assert store.latest_listing_day() == DAY
        assert store.comments_for("2601.00010") == [comment]
        collection = store.collections_of(user.id)[0]
        assert [p.id for p in store.collection_papers(user.id, collection.id)] == ["2601.00010"]
        assert store.ids_for([pk]) == {pk: "2601.00010"}
        assert store.vector_of("m", "2601.00010") == b"\x00\x3c" * 4
        assert store.get_papers(["2601.00010", "2601.99999"]).keys() == {"2601.00010"}


def test_replica_stopped_reads_fall_back_to_primary_then_use_it_again(
    store, primary, standby, clock, caplog
):
    store.write_batch([Record(paper("2601.00020", "Barbara Liskov"))], [])
    caught_up(primary, standby)
    standby.stop()
    try:
        with caplog.at_level(logging.WARNING, "papertide.store"):
            assert store.get_paper("2601.00020") is not None
            assert [p.id for p in store.papers_by_author("Barbara Liskov", 10)] == ["2601.00020"]
            assert store.stats().papers >= 1
        assert len(warnings_in(caplog)) == 1  # then skipped, not tried at every read
        assert WARNING in warnings_in(caplog)[0]
    finally:
        standby.start()
    clock.sleep(REPLICA_RETRY_S)
    with replay_paused(primary, standby):
        store.write_batch([Record(paper("2601.00021", "Barbara Liskov"))], [])
        assert [p.id for p in store.papers_by_author("Barbara Liskov", 10)] == ["2601.00020"]


def test_replica_lost_mid_read_is_a_store_error_then_reads_use_the_primary(
    store, primary, standby, caplog
):
    store.write_batch([Record(paper("2601.00030", "Edsger Dijkstra"))], [])
    caught_up(primary, standby)
    with caplog.at_level(logging.WARNING, "papertide.store"):
        with pytest.raises(StoreError, match="replica is unavailable"), store._read() as conn:
            pid = conn.info.backend_pid
            with psycopg.connect(standby.url(DB), autocommit=True) as admin:
                admin.execute(b"SELECT pg_terminate_backend(%s)", (pid,))
            conn.execute(b"SELECT 1")
        assert WARNING in warnings_in(caplog)[0]
    with replay_paused(primary, standby):  # skipped now: reads see the primary's writes
        store.write_batch([Record(paper("2601.00031", "Edsger Dijkstra"))], [])
        found = store.papers_by_author("Edsger Dijkstra", 10)
        assert sorted(p.id for p in found) == ["2601.00030", "2601.00031"]


def test_writes_never_go_to_the_replica(primary, clock):
    store = PostgresStore(primary.url(DB), clock, replica_url=primary.url(DECOY))
    try:
        store.write_batch([Record(paper("2601.00040", "Alan Kay"))], [])
        user = store.create_user("writer", None, "hash")
        store.set_vote(user.id, "2601.00040", True)
        store.save_session("writer-token", user.id, START + timedelta(days=1))
        store.add_comment(user.id, "2601.00040", "A comment.")
        # paper data is read on the "replica", which got none of the writes
        assert store.papers_by_author("Alan Kay", 10) == []
        assert store.session_user("writer-token") == user
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), store._read() as conn:
            conn.execute(b"INSERT INTO checkpoints VALUES ('k', 'v', now())")
    finally:
        store.close()
    for table in ("papers", "users", "votes", "sessions", "comments", "checkpoints"):
        assert count(primary.url(DECOY), table) == 0, table
    assert count(primary.url(DB), "votes") >= 1


def test_read_without_replica_is_read_only_and_the_pool_stays_writable(primary, clock):
    store = PostgresStore(primary.url(DB), clock, pool_size=1)  # one connection, reused
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), store._read() as conn:
            conn.execute(b"INSERT INTO checkpoints VALUES ('k', 'v', now())")
        store.write_batch([], [], checkpoint=("k", "v"))
        assert store.get_checkpoint("k") == "v"
        assert store.replica_url is None
    finally:
        store.close()


def test_replica_down_at_start_store_opens_and_reads_the_primary(primary, clock, caplog):
    dead = "postgresql://postgres@127.0.0.1:1/nowhere"
    with caplog.at_level(logging.WARNING, "papertide.store"):
        store = PostgresStore(primary.url(DB), clock, replica_url=dead)
        try:
            store.write_batch([Record(paper("2601.00050", "Frances Allen"))], [])
            assert [p.id for p in store.papers_by_author("Frances Allen", 10)] == ["2601.00050"]
            assert store.get_paper("2601.00050") is not None
        finally:
            store.close()
    assert len(warnings_in(caplog)) == 1
    assert "refused" in warnings_in(caplog)[0]


def test_build_store_opens_postgres_with_its_replica(primary, standby):
    settings = Settings(db=primary.url(DB), db_replica=standby.url(DB))
    store = build_store(settings)
    try:
        assert isinstance(store, PostgresStore)
        assert store.replica_url == standby.url(DB)
        assert store.migrate() == []  # the primary, migrated by the fixture
    finally:
        store.close()


def test_build_store_replica_of_sqlite_is_an_input_error(tmp_path):
    settings = Settings(db=str(tmp_path / "t.db"), db_replica="postgresql://h/replica")
    with pytest.raises(InputError, match=r"db_replica .* SQLite"):
        build_store(settings)
    assert not (tmp_path / "t.db").exists()


def test_build_store_replica_must_be_a_postgres_url(primary):
    with pytest.raises(InputError, match=r"must be a postgresql:// URL"):
        build_store(Settings(db=primary.url(DB), db_replica="replica.example.org"))
