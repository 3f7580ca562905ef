"""PostgresStore beyond the shared contract: its migrations, the halfvec column,
connection errors, roles without superuser, concurrent writers, and wiring by URL."""

import subprocess
import sys
import threading

import psycopg
import pytest

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.errors import InputError, StoreError
from papertide.index.paths import index_paths
from papertide.ingest import ingest
from papertide.ingest.pipeline import AHEAD
from papertide.models import IngestCounts, Paper, Record
from papertide.store.base import read_migrations
from papertide.store.postgres import PostgresStore
from papertide.store.postgres.connection import MIGRATIONS
from papertide.store.postgres.papers import LOAD_INDEXES, LOAD_KEYS
from papertide.store.postgres.vectors import HalfVector, HalfVectorDumper
from papertide.store.vectors_base import EmbeddingRow
from papertide.wiring import build_store
from tests.integration.sqlite.test_ingest_pipeline import FILES, CountingSource
from tests.pg_cluster import PgCluster

pytestmark = pytest.mark.postgres
PG_MIGRATIONS = [migration.name for migration in read_migrations(MIGRATIONS)]


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


def test_a_store_at_the_previous_schema_upgrades_and_drops_its_tsvector(pg_database):
    url = pg_database()
    with psycopg.connect(url) as conn:  # the schema before the tsvector left the write path
        conn.execute(
            "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ)"
        )
        for migration in read_migrations(MIGRATIONS):
            if migration.name < "m009":
                conn.execute(migration.sql.encode())
                conn.execute("INSERT INTO schema_migrations VALUES (%s, now())", (migration.name,))
    store = PostgresStore(url, FixedClock())
    store.write_batch([Record(paper("2501.00001", "Quantum kittens", version=1))], [])

    assert store.migrate()[0] == "m009_no_fts"  # then any later migration

    with psycopg.connect(url) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = 'papers'"
            " AND column_name = 'search'), to_regclass('papers_search'),"
            " (SELECT count(*) FROM pg_proc WHERE proname = 'papertide_fts_document')"
        ).fetchone()
    assert left == (0, None, 0)
    store.write_batch([Record(paper("2501.00001", "Classical puppies", version=2))], [])
    found = store.get_paper("2501.00001")
    assert found is not None and found.title == "Classical puppies"
    assert store.migrate() == []
    store.close()


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


def schema(url: str) -> dict[str, str]:
    """The store's indexes and constraints: name -> definition."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL"
            " SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = 'public'::regnamespace"
        )
        return dict(rows.fetchall())


LOADED = LOAD_INDEXES.keys() | LOAD_KEYS.keys()


def test_postgres_load_into_an_empty_store_builds_indexes_and_keys_at_its_end(pg_url, pg_store):
    migrated = schema(pg_url)
    assert migrated.keys() >= LOADED
    with pg_store.bulk_load():
        assert schema(pg_url).keys().isdisjoint(LOADED)
        pg_store.write_batch([Record(paper("2501.00001", "A", authors=("Alan Turing",)))], [])
    assert schema(pg_url) == migrated  # the same definitions
    with psycopg.connect(pg_url) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute(
            "EXPLAIN SELECT paper_id FROM paper_authors WHERE lower(name) = 'alan turing'"
        ).fetchall()
        assert "paper_authors_name" in " ".join(row[0] for row in plan)
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO paper_authors VALUES ('2501.99999', 0, 'Nobody')")
    assert [p.id for p in pg_store.papers_by_author("ALAN TURING", 5)] == ["2501.00001"]


def test_postgres_load_into_a_store_with_papers_keeps_its_indexes_and_keys(pg_url, pg_store):
    pg_store.write_batch([Record(paper("2501.00001", "A"))], [])
    with pg_store.bulk_load():
        assert schema(pg_url).keys() >= LOADED
        pg_store.write_batch([Record(paper("2501.00002", "B"))], [])
    assert schema(pg_url).keys() >= LOADED


def test_postgres_failed_load_makes_its_indexes_and_keys_a_killed_one_gets_them_at_migrate(
    pg_url, pg_store
):
    migrated = schema(pg_url)
    with pytest.raises(OSError), pg_store.bulk_load():
        raise OSError("disk full")
    assert schema(pg_url) == migrated
    with psycopg.connect(pg_url) as conn:  # what a load killed mid-way leaves
        conn.execute("DROP INDEX paper_authors_name")
        conn.execute("ALTER TABLE paper_authors DROP CONSTRAINT paper_authors_paper_id_fkey")
    assert pg_store.migrate() == []
    assert schema(pg_url) == migrated


def test_postgres_ingest_prepares_batches_in_a_thread_as_far_ahead_as_its_queues(pg_store):
    source = CountingSource(FILES / "cs_listings_50.jsonl")
    ahead: list[int] = []  # lines read and not written, after each batch
    result = ingest(
        pg_store, source, batch_size=5, on_progress=lambda c: ahead.append(source.read - c.new)
    )
    assert result.counts == IngestCounts(new=50) and result.error is None
    # AHEAD chunks sent to be parsed, a batch queued and one more being handed over, no further
    assert max(ahead) <= (AHEAD + 2) * 5 and ahead[-1] == 0
    assert pg_store.stats().papers == 50


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
