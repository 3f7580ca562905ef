"""refresh_lexical: processes that open one lexical index folder at the same moment take turns,
so none wipes the index another is still building (two `serve` started together)."""

import json
import multiprocessing
import time
from multiprocessing.synchronize import Event
from pathlib import Path

from papertide.clock import SystemClock
from papertide.config import Settings
from papertide.index.paths import index_paths
from papertide.index.refresh import open_lexical, refresh_lexical
from papertide.index.tantivy_lexical import build_lock
from papertide.ingest import ingest
from papertide.sources.tabular import JsonlSource
from papertide.store.sqlite import SqliteStore

PAPERS = 3_000
CONTEXT = multiprocessing.get_context("fork")


def make_store(tmp_path: Path) -> Settings:
    lines = (
        json.dumps(
            {
                "id": f"2601.{n:05d}",
                "title": f"Paper {n} on sparse attention",
                "abstract": f"We study problem {n} with transformers and graphs.",
                "authors": ["Ada Lovelace"],
                "categories": ["cs.CL"],
            }
        )
        for n in range(1, PAPERS + 1)
    )
    source = tmp_path / "papers.jsonl"
    source.write_text("\n".join(lines) + "\n")
    settings = Settings(db=str(tmp_path / "papers.db"), index_dir=str(tmp_path / "index"))
    store = SqliteStore(settings.db, SystemClock())
    store.migrate()
    assert ingest(store, JsonlSource(str(source))).counts.new == PAPERS
    store.close()
    return settings


def sync_in_child(settings: Settings, start: Event) -> None:
    start.wait()
    store = SqliteStore(settings.db, SystemClock())
    try:
        refresh_lexical(settings, store)
    finally:
        store.close()


def indexed_papers(settings: Settings) -> int:
    store = SqliteStore(settings.db, SystemClock())
    try:
        return open_lexical(settings, store).count()
    finally:
        store.close()


def test_refresh_lexical_from_processes_started_together_builds_one_whole_index(tmp_path: Path):
    settings = make_store(tmp_path)
    start = CONTEXT.Event()
    children = [CONTEXT.Process(target=sync_in_child, args=(settings, start)) for _ in range(3)]
    for child in children:
        child.start()
    start.set()
    for child in children:
        child.join(120)
    assert [child.exitcode for child in children] == [0, 0, 0]
    assert indexed_papers(settings) == PAPERS


def test_refresh_lexical_waits_while_another_process_holds_the_folder(tmp_path: Path):
    settings = make_store(tmp_path)
    start = CONTEXT.Event()
    start.set()
    paths = index_paths(settings)
    assert paths is not None
    with build_lock(paths[0]):
        child = CONTEXT.Process(target=sync_in_child, args=(settings, start))
        child.start()
        time.sleep(1.0)
        assert child.is_alive(), "the sync did not wait for the lock"
    child.join(120)
    assert child.exitcode == 0
    assert indexed_papers(settings) == PAPERS
