import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from importlib.metadata import entry_points

from papertide.ingest import INGEST_BATCH_SIZE

DB = "cli.db"


def test_ingest_summary_then_rerun_changes_nothing(cli, papers_file):
    path = papers_file(50)
    first = cli("ingest", "jsonl", str(path))
    assert first.returncode == 0, first.stderr
    assert "50 new, 0 updated, 0 unchanged, 0 quarantined" in first.stdout
    again = cli("ingest", "jsonl", str(path), "--json")
    assert json.loads(again.stdout)[0]["unchanged"] == 50
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats["papers"] == 50


def test_quarantine_exits_3_keeps_the_good_records_and_lists_reasons(cli, papers_file):
    path = papers_file(5, bad=['{"title": ["not", "text"]}', "{broken json", "[1, 2]"])
    result = cli("ingest", "jsonl", str(path))
    assert result.returncode == 3
    assert "5 new, 0 updated, 0 unchanged, 3 quarantined" in result.stdout
    assert cli("ingest", "jsonl", str(path), "--allow-quarantine").returncode == 0
    listing = cli("quarantine").stdout
    assert "title must be text, not list" in listing
    assert "{broken json" in listing
    entries = json.loads(cli("quarantine", "--json").stdout)
    assert len(entries) == 3  # the re-run did not add copies
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 5


def test_missing_file_is_one_clear_line(cli, tmp_path):
    result = cli("ingest", "jsonl", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: no such file: {tmp_path / 'nope.jsonl'}"


def test_bad_options_and_ids_are_one_clear_line(cli):
    bad_id = cli("ingest", "arxiv", "--id", "not-an-id")
    assert bad_id.returncode == 1
    assert "Traceback" not in bad_id.stderr and "not-an-id" in bad_id.stderr
    no_args = cli("ingest", "arxiv")
    assert no_args.returncode == 1 and "give --id" in no_args.stderr
    bad_date = cli("ingest", "hf-daily", "--date", "yesterday")
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr


def test_unreachable_host_is_one_clear_line(tmp_path):
    env_db = tmp_path / "u.db"
    result = subprocess.run(
        [sys.executable, "-m", "papertide", "ingest", "arxiv", "--id", "2501.01234",
         "--url", "http://127.0.0.1:9/api/query", "--db", str(env_db)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PAPERTIDE_HTTP_RETRIES": "0"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "127.0.0.1" in result.stderr and "cannot connect" in result.stderr


def test_stdin_and_compressed_input(cli, papers_file, tmp_path):
    import gzip

    path = papers_file(3)
    packed = tmp_path / "p.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert "3 new" in cli("ingest", "jsonl", str(packed)).stdout
    assert "3 unchanged" in cli("ingest", "jsonl", "-", stdin=path.read_text()).stdout


def test_kill_mid_ingest_leaves_a_consistent_store_and_rerun_completes(cli, papers_file, tmp_path):
    path = papers_file(60_000)
    db = tmp_path / DB
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "ingest", "jsonl", str(path), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    committed = _wait_for_rows(db, process)
    parsers = _children(process.pid)
    assert parsers  # the parsing processes (and multiprocessing's resource tracker)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # a parent killed outright never shuts its pool down: the parsing processes end by
    # themselves, not waiting forever on their queue (and holding the parent's pipes open)
    deadline = time.monotonic() + 15
    while any(map(_running, parsers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in parsers if _running(pid)]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    partial = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert committed <= partial < 60_000
    assert partial % INGEST_BATCH_SIZE == 0  # whole batches only
    # the load into an empty store builds the authors' name index at its end: a killed one
    # leaves it out, and the next command that opens the store builds it
    assert _author_query_plan(conn) == "SCAN paper_authors"
    conn.close()
    assert cli("stats").returncode == 0
    with sqlite3.connect(db) as conn:
        assert "paper_authors_name" in _author_query_plan(conn)
    result = cli("ingest", "jsonl", str(path), "--json")
    counts = json.loads(result.stdout)[0]
    assert (counts["new"], counts["unchanged"]) == (60_000 - partial, partial)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM papers").fetchone() == (
        60_000,
        60_000,
    )
    authors = conn.execute("SELECT count(*) FROM paper_authors").fetchone()[0]
    assert authors == 120_000


def test_sigterm_stops_cleanly_with_exit_130(papers_file, tmp_path):
    path = papers_file(60_000)
    db = tmp_path / DB
    process = subprocess.Popen(
        [sys.executable, "-m", "papertide", "ingest", "jsonl", str(path), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for_rows(db, process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:  # a failure must not leave the process and its pipes to later tests
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == 130
    assert "interrupted" in stderr and "Run the same command again" in stderr
    assert "Traceback" not in stderr


def _author_query_plan(conn: sqlite3.Connection) -> str:
    """How SQLite finds the papers of an author (as store.papers_by_author asks)."""
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT paper_id FROM paper_authors WHERE name = ? COLLATE NOCASE",
        ("Ada Lovelace",),
    )
    return " ".join(row[-1] for row in plan)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _stat(int(entry))[1:2] == [str(pid)]:
            found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    """`pid` exists and is not a zombie (an orphan's exit may wait for init to reap it)."""
    state = _stat(pid)[:1]
    return bool(state) and state != ["Z"]


def _stat(pid: int) -> list[str]:
    """State, parent pid, ... of /proc/<pid>/stat (after the command name); [] if gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _wait_for_rows(db, process) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "ingest finished before it could be interrupted"
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=0.1) as conn:
                    count = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
                if count:
                    return int(count)
            except sqlite3.OperationalError:
                pass
        time.sleep(0.02)
    raise AssertionError("no batch was committed in time")


def test_the_console_script_imports_no_command_until_it_runs():
    # the ingest's parsing processes are spawned: each runs the console script again as its
    # main module, so that module must not import the command line (and every service)
    (script,) = entry_points(group="console_scripts", name="papertide")
    module = script.value.split(":")[0]
    code = f"import sys, {module}; print('papertide.cli' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
    assert script.load() is not None
