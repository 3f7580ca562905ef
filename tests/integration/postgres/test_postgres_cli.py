"""What PostgreSQL changes around the store: index_dir holds the search indexes and the
generated secret key, commands that need them stop with advice without it, and database errors
print as one line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from papertide.config import Settings, sqlite_file
from papertide.errors import InputError
from papertide.index.paths import index_paths
from papertide.secret_key import load_secret_key

PG = "postgresql://app@db.example:5432/papers"


def test_index_paths_in_index_dir_for_either_engine(tmp_path):
    folder = tmp_path / "idx"
    for db in (PG, str(tmp_path / "a.db")):
        paths = index_paths(Settings(db=db, index_dir=str(folder)))
        assert paths == (folder / "lexical", folder / "vectors")
    beside = index_paths(Settings(db=f"sqlite:///{tmp_path / 'a.db'}"))
    assert beside == (Path(f"{tmp_path}/a.db.lexical"), Path(f"{tmp_path}/a.db.vectors"))
    assert index_paths(Settings(db=":memory:")) is None


def test_postgres_without_index_dir_is_an_error_with_advice():
    with pytest.raises(InputError, match=r"set index_dir \(PAPERTIDE_INDEX_DIR\)"):
        index_paths(Settings(db=PG))
    with pytest.raises(InputError, match="index_dir"):
        load_secret_key(Settings(db=PG))
    assert load_secret_key(Settings(db=PG, secret_key="set")) == b"set"


def test_postgres_secret_key_is_created_once_in_index_dir(tmp_path):
    settings = Settings(db=PG, index_dir=str(tmp_path / "new" / "idx"))
    first = load_secret_key(settings)
    path = tmp_path / "new" / "idx" / "secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(settings) == first and len(first) == 64


def test_sqlite_file_names_the_file_of_a_db_setting(tmp_path):
    assert sqlite_file(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert sqlite_file("b.db") == Path("b.db")
    assert sqlite_file(PG) is None
    assert sqlite_file(":memory:") is None


def papertide(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PAPERTIDE_INDEX_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "papertide", *args],
        capture_output=True, text=True, env={**environ, **env}, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.parametrize("command", [["index"], ["serve", "--port", "0"], ["search", "x"]])
def test_commands_needing_indexes_stop_without_index_dir(pg_url, command):
    done = papertide(*command, "--db", pg_url)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: a PostgreSQL store keeps its search indexes")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.postgres
def test_postgres_errors_print_as_one_line(pg_cluster, pg_url):
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(b"DROP ROLE IF EXISTS reader")
        conn.execute(b"CREATE ROLE reader LOGIN")
    done = papertide("stats", "--db", pg_url.replace("postgres@", "reader@"))
    assert (done.returncode, done.stderr) == (
        1,
        "Error: database error: permission denied for schema public\n",
    )
