"""PostgresStore beyond the shared contract: its migrations, the tsvector and halfvec columns,
connection errors, roles without superuser, concurrent writers, and wiring by URL."""

import subprocess
import sys
import threading

import psycopg
import pytest

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.errors import InputError, StoreError
from papertide.models import Paper, Record
from papertide.store.base import EmbeddingRow
from papertide.store.pg_migrations import load_migrations
from papertide.store.postgres import PostgresStore
from papertide.store.postgres_fts import search_tsvector
from papertide.store.postgres_vectors import HalfVector, HalfVectorDumper
from papertide.wiring import build_store, index_paths
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.postgres
PG_MIGRATIONS = [migration.name for migration in load_migrations()]


@pytest.fixture
def pg_store(pg_url: str):
    store = PostgresStore(pg_url, FixedClock())
    yield store
    store.close()


def paper(pid: str, title: str, abstract: str = "Nothing to see.", **more: object) -> Paper:
    return Paper(pid, title, abstract, **more)  # type: ignore[arg-type]


def test_postgres_migrate_applies_each_migration_once(pg_database):
    url = pg_database()
    store = PostgresStore(url, FixedClock())
    assert store.migrate() == PG_MIGRATIONS
    assert PG_MIGRATIONS[:5] == [
        "m001_papers", "m002_fts", "m003_seen_lines", "m004_embeddings", "m005_community",
    ]  # fmt: skip
    assert store.migrate() == []
    store.close()
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == PG_MIGRATIONS


def test_postgres_search_column_weights_title_over_authors_over_abstract(pg_store):
    pg_store.write_batch(
        [
            Record(paper("2501.00001", "Kittens", "Cats are small.")),
            Record(paper("2501.00002", "Cats", "Many kittens here.")),
            Record(paper("2501.00003", "Dogs", "None.", authors=("Kitten Smith",))),
        ],
        [],
    )
    with psycopg.connect(pg_store.url) as conn:
        hits = search_tsvector(conn, ["kitten"], 10)
    assert [h.paper_id for h in hits] == ["2501.00001", "2501.00003", "2501.00002"]
    assert hits[0].score > hits[1].score > hits[2].score > 0


def test_postgres_search_tsvector_matches_any_word_and_takes_any_text(pg_store):
    pg_store.write_batch(
        [
            Record(paper("2501.00001", "Kittens", "Cats are small.")),
            Record(paper("2501.00002", "Puppies", "Dogs are loud.")),
            Record(paper("2501.00003", "Parrots", "Birds talk.")),
        ],
        [],
    )
    hostile = ["kitten", "puppies", "':* & | ! ( ) <-> \\", "the", ""]
    with psycopg.connect(pg_store.url) as conn:
        found = {h.paper_id for h in search_tsvector(conn, hostile, 10)}
        assert search_tsvector(conn, ["", "  "], 10) == []
        assert len(search_tsvector(conn, ["kitten", "puppies"], 1)) == 1
    assert found == {"2501.00001", "2501.00002"}


def test_postgres_search_column_follows_updates(pg_store):
    pg_store.write_batch([Record(paper("2501.00001", "Quantum kittens", version=1))], [])
    pg_store.write_batch([Record(paper("2501.00001", "Classical puppies", version=2))], [])
    with psycopg.connect(pg_store.url) as conn:
        found = conn.execute(
            "SELECT id FROM papers WHERE search @@ to_tsquery('english', %s)", ("puppies",)
        ).fetchall()
        gone = conn.execute(
            "SELECT count(*) FROM papers WHERE search @@ to_tsquery('english', 'kittens')"
        ).fetchone()
    assert found == [("2501.00001",)] and gone == (0,)


def test_postgres_vectors_are_real_halfvecs_the_server_can_search(pg_store):
    import numpy as np

    pg_store.write_batch([Record(paper(f"2501.0000{n}", f"P{n}")) for n in (1, 2)], [])
    tasks = pg_store.embed_tasks("m")
    vectors = [np.asarray(v, dtype="<f2").tobytes() for v in ([1, 0, 0], [0.6, 0.8, 0])]
    pg_store.save_embeddings(
        "m",
        [
            EmbeddingRow(t.paper_pk, t.content_hash, "t", v)
            for t, v in zip(tasks, vectors, strict=True)
        ],
    )
    with psycopg.connect(pg_store.url) as conn:
        rows = conn.execute(
            "SELECT paper_pk, vector_dims(vector) FROM embeddings"
            " ORDER BY vector <=> '[0,1,0]'::halfvec"
        ).fetchall()
    assert rows == [(tasks[1].paper_pk, 3), (tasks[0].paper_pk, 3)]
    with pytest.raises(ValueError, match="even number"):
        HalfVectorDumper(HalfVector).dump(HalfVector(b"abc"))


def test_postgres_concurrent_writers_never_duplicate_a_paper(pg_store):
    papers = [paper(f"2501.{n:05d}", f"Paper {n}") for n in range(300)]
    results = []

    def ingest(offset: int) -> None:
        mine = papers[offset:] + papers[:offset]  # every thread writes every paper
        for start in range(0, len(mine), 50):
            results.append(pg_store.write_batch([Record(p) for p in mine[start : start + 50]], []))

    threads = [threading.Thread(target=ingest, args=(n * 75,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.new for r in results) == 300
    assert sum(r.unchanged for r in results) == 900
    assert pg_store.stats().papers == 300


def test_postgres_unreachable_server_is_a_clear_error(pg_cluster: PgCluster):
    with pytest.raises(StoreError, match=r"cannot connect to PostgreSQL.*nowhere"):
        PostgresStore(pg_cluster.url("nowhere"), FixedClock())
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        PostgresStore("postgresql://postgres@127.0.0.1:1/x", FixedClock())


def test_postgres_role_without_superuser_needs_pgvector_created_first(pg_cluster, pg_database):
    url = pg_database()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(b"DROP ROLE IF EXISTS app")
        conn.execute(b"CREATE ROLE app LOGIN")
        conn.execute(f"ALTER DATABASE {name} OWNER TO app".encode())
    app_url = url.replace("postgres@", "app@")
    store = PostgresStore(app_url, FixedClock())
    with pytest.raises(StoreError, match=r"m004_embeddings failed.*CREATE EXTENSION vector"):
        store.migrate()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(b"CREATE EXTENSION vector")
    assert store.migrate() == PG_MIGRATIONS
    store.close()


def test_build_store_opens_postgres_urls_migrated(pg_database):
    url = pg_database()
    for db in (url, url.replace("postgresql://", "postgres://")):
        store = build_store(Settings(db=db))
        assert isinstance(store, PostgresStore)
        assert store.migrate() == []
        store.close()
    with pytest.raises(InputError, match="index_dir"):
        index_paths(Settings(db=url))


def test_build_store_without_psycopg_says_what_to_install():
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from papertide.cli import main\n"
        "main(['stats', '--db', 'postgresql://nobody@127.0.0.1:1/x'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "pip install 'papertide[postgres]'" in done.stderr
