"""`papertide migrate` as a real process: a populated SQLite store copied into PostgreSQL, the
copy SIGKILLed mid-way and run again. Nothing may be lost or doubled, and the app must answer
the same daily page and search results from both stores."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from papertide.clock import FixedClock
from papertide.models import Listing, Paper, Record
from papertide.store.sqlite import SqliteStore
from tests.integration.store.populate import fill_community

pytestmark = pytest.mark.postgres
PAPERS = 3_000
BATCH_ROWS = 50  # 60 committed batches of papers: the kill lands among them
WORDS = [
    "sparse", "attention", "graph", "neural", "network", "diffusion", "model", "retrieval",
    "language", "vision", "transformer", "kernel", "bandit", "reinforcement", "learning",
    "protein", "quantum", "robot", "segmentation",
]  # fmt: skip
DAY = date(2026, 3, 2)


def make_source(path: Path) -> None:
    """A SQLite store with papers, listings, a community and (via the CLI) embeddings."""
    rng = random.Random(5)
    store = SqliteStore(path, FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    store.migrate()
    records = []
    for n in range(1, PAPERS + 1):
        words = rng.sample(WORDS, 6)
        # a rare word, more often in later papers: its BM25 ranking has no ties, whose
        # order would depend on how each lexical index was built rather than on the store
        rare = " zebrafish" * (n // 300) if n % 300 == 0 else ""
        paper = Paper(
            f"2603.{n:05d}",
            " ".join(words[:3]).capitalize(),
            f"We study {' '.join(words)} in setting {n}.{rare}",
            authors=(f"Author {n % 97}", "Ada Lovelace"),
            categories=(rng.choice(["cs.LG", "cs.CL", "cs.CV"]),),
            published=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        )
        listed = Listing(DAY + timedelta(days=n % 5), paper.id, n, upvotes=n % 13)
        records.append(Record(paper, listed if n % 10 == 0 else None))
    store.write_batch(records, [], checkpoint=("jsonl:x", "3000"), fingerprints=range(PAPERS))
    fill_community(store)
    store.close()


def papertide(*args: str, index_dir: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200"}
    if index_dir is not None:
        env["PAPERTIDE_INDEX_DIR"] = str(index_dir)
    command = [sys.executable, "-m", "papertide", *args]
    pipe = subprocess.PIPE
    return subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True, env=env)


def run(*args: str, index_dir: Path | None = None) -> str:
    process = papertide(*args, index_dir=index_dir)
    output, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    return output


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()
    return int(row[0]) if row else 0


def kill_mid_papers(url: str, process: subprocess.Popen[str]) -> int:
    """SIGKILL the copy once some batches of papers committed; the papers kept."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if count(url, "papers") >= 10 * BATCH_ROWS:
                process.send_signal(signal.SIGKILL)
                process.communicate(timeout=30)
                return count(url, "papers")
        except psycopg.Error:
            pass  # not migrated yet
        time.sleep(0.005)
    raise AssertionError(f"no batch committed; migrate exit {process.poll()}")


def test_migrate_killed_mid_copy_resumes_and_both_stores_answer_alike(pg_database, tmp_path):
    source, target = tmp_path / "source.db", pg_database()
    make_source(source)
    run("index", "--db", str(source))
    first = papertide("migrate", str(source), target, "--batch-rows", str(BATCH_ROWS))
    kept = kill_mid_papers(target, first)
    assert first.returncode == -signal.SIGKILL
    assert 0 < kept < PAPERS and kept % BATCH_ROWS == 0  # whole batches only
    report = json.loads(run("migrate", str(source), target, "--batch-rows", "500", "--json"))
    assert report["ok"] and report["resumed"]
    tables = {row["table"]: row for row in report["tables"]}
    assert tables["papers"]["copied"] == PAPERS - kept  # nothing copied twice
    assert tables["papers"]["target_rows"] == PAPERS
    assert tables["embeddings"]["target_rows"] == PAPERS
    assert all(row["source_checksum"] == row["target_checksum"] for row in report["tables"])
    assert count(target, "checkpoints") == 1  # the source's own; the copy's are gone
    index_dir = tmp_path / "pg-index"
    assert "0 embedded" in run("index", "--db", target, index_dir=index_dir)
    for args in (["daily", "--json"], ["search", "zebrafish", "--json"]):
        from_sqlite = json.loads(run(*args, "--db", str(source)))
        assert from_sqlite, args
        assert json.loads(run(*args, "--db", target, index_dir=index_dir)) == from_sqlite


def test_migrate_cli_refuses_a_missing_source_and_a_copy_onto_itself(tmp_path, pg_database):
    target = pg_database()
    missing = papertide("migrate", str(tmp_path / "nowhere.db"), target)
    _, errors = missing.communicate(timeout=60)
    assert errors.strip() == (
        f"Error: no database at {tmp_path}/nowhere.db;"
        " `papertide init`, `demo` or `ingest` creates one"
    )
    same = papertide("migrate", target, target.replace("postgres@", "postgres:pw@"))
    _, errors = same.communicate(timeout=60)
    assert errors.strip() == "Error: SOURCE and TARGET are the same database"
