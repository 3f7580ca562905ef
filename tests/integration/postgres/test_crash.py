"""Fault tests: the PostgreSQL server (or the `papertide ingest` process) is killed (SIGKILL, no
shutdown) in the middle of a real `papertide ingest`, restarted, and the ingest re-run. Nothing
may be lost or doubled. These tests crash their own server, never the session's."""

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from papertide.clock import FixedClock
from papertide.errors import StoreError
from papertide.ingest import INGEST_BATCH_SIZE
from papertide.ingest import ingest as run_ingest
from papertide.sources.tabular import JsonlSource
from papertide.store.postgres import PostgresStore
from papertide.store.postgres.papers import LOAD_INDEXES, LOAD_KEYS
from papertide.store.sqlite import SqliteStore
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.postgres
RECORDS = 4 * INGEST_BATCH_SIZE  # the kill lands after the first commit, long before the last


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster.create()
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute(b"CREATE DATABASE crash")
        yield cluster
    finally:
        cluster.remove()


def write_papers(path: Path, count: int) -> Path:
    lines = (
        json.dumps(
            {
                "id": f"2601.{n:05d}",
                "title": f"Paper {n} on sparse attention",
                "abstract": f"We study problem {n}. Code: https://github.com/lab/p{n}",
                "authors": ["Ada Lovelace", f"Author {n}"],
                "categories": ["cs.CL", "cs.LG"],
                "first_listed": f"2026-01-{1 + n % 28:02d}",
            }
        )
        for n in range(1, count + 1)
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def ingest(path: Path, db: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "papertide",
        "ingest",
        "jsonl",
        str(path),
        "--db",
        db,
        "--json",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def count_papers(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(b"SELECT count(*) FROM papers").fetchone()
    return int(row[0]) if row else 0


def wait_for_first_commit(url: str, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if (done := count_papers(url)) > 0:
                return done
        except psycopg.Error:
            pass  # not migrated yet
        time.sleep(0.01)
    raise AssertionError(f"no batch committed; ingest exit {process.poll()}")


def test_postgres_killed_mid_ingest_loses_and_doubles_nothing(own_cluster, tmp_path):
    url = own_cluster.url("crash")
    source = write_papers(tmp_path / "papers.jsonl", RECORDS)
    first = ingest(source, url)
    wait_for_first_commit(url, first)
    own_cluster.kill()
    _, errors = first.communicate(timeout=120)
    assert first.returncode != 0, "the ingest finished before the server was killed"
    # psycopg words it by where the kill found the client: "connection failed: ..." or, in
    # the middle of a COPY, "consuming input failed: server closed the connection ..."
    assert errors.startswith("Error: PostgreSQL is unavailable: "), errors
    assert "connection" in errors, errors
    assert len(errors.splitlines()) == 1, errors  # no warnings of the pool's reconnects
    own_cluster.start()
    kept = count_papers(url)
    assert 0 < kept < RECORDS and kept % INGEST_BATCH_SIZE == 0  # whole batches only
    again = ingest(source, url)
    output, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors
    [counts] = json.loads(output)
    assert (counts["new"], counts["unchanged"], counts["updated"]) == (RECORDS - kept, kept, 0)
    reference = SqliteStore(tmp_path / "reference.db", FixedClock())  # the same file, no crash
    reference.migrate()
    assert run_ingest(reference, JsonlSource(str(source))).counts.new == RECORDS
    store = PostgresStore(url, FixedClock())
    assert store.stats() == reference.stats()
    assert [p.id for p in store.iter_papers()] == [p.id for p in reference.iter_papers()]
    store.close()
    reference.close()


LOADED = {*LOAD_INDEXES, *LOAD_KEYS}


def loaded(url: str) -> set[str]:
    """Which of the indexes and keys that a load into an empty store makes at its end exist."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            b"SELECT indexname FROM pg_indexes UNION ALL SELECT conname FROM pg_constraint"
        )
        return {row[0] for row in rows} & LOADED


def test_ingest_killed_mid_load_leaves_its_indexes_to_the_next_command(own_cluster, tmp_path):
    url = own_cluster.url("killed")
    with psycopg.connect(own_cluster.url(), autocommit=True) as conn:
        conn.execute(b"CREATE DATABASE killed")
    source = write_papers(tmp_path / "papers.jsonl", RECORDS)
    first = ingest(source, url)
    wait_for_first_commit(url, first)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)  # its parsing processes end too, closing its pipes
    kept = count_papers(url)
    assert 0 < kept < RECORDS and kept % INGEST_BATCH_SIZE == 0  # whole batches only
    # the load into an empty store makes the read indexes and the authors', categories' and
    # versions' keys at its end: a killed one leaves them out, and the next command that
    # opens the store makes them
    assert loaded(url) == set()
    stats = subprocess.run(
        [sys.executable, "-m", "papertide", "stats", "--db", url], capture_output=True, check=False
    )
    assert stats.returncode == 0, stats.stderr
    assert loaded(url) == LOADED
    again = ingest(source, url)
    output, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors
    [counts] = json.loads(output)
    assert (counts["new"], counts["unchanged"]) == (RECORDS - kept, kept)
    with psycopg.connect(url) as conn:
        row = conn.execute(b"SELECT count(*), count(DISTINCT paper_id) FROM paper_authors")
        assert row.fetchone() == (2 * RECORDS, RECORDS)


def test_postgres_store_recovers_after_a_server_restart(own_cluster):
    store = PostgresStore(own_cluster.url("crash"), FixedClock(), wait_s=0.5)
    store.migrate()
    assert store.get_checkpoint("x") is None
    own_cluster.kill()
    with pytest.raises(StoreError, match=r"PostgreSQL is unavailable: .*Connection refused"):
        store.get_checkpoint("x")
    own_cluster.start()
    back = time.monotonic()
    while True:  # broken pooled connections are replaced, with no restart of the store
        try:
            assert store.get_checkpoint("x") is None
            break
        except StoreError:
            assert time.monotonic() - back < 5, "the store did not recover in 5 s"
            time.sleep(0.05)
    store.close()
