"""`papertide sync` and `papertide status` as cron and an admin run them: a loopback server
replays the recorded OAI-PMH harvest; an unreachable one makes a failed, logged run (exit 1)."""

from __future__ import annotations

import json

from tests.integration.sync.test_sync import serve_sources
from tests.replay_server import replay_server


def test_status_before_any_sync(cli) -> None:
    assert cli("init").returncode == 0
    answer = cli("status")
    assert answer.returncode == 0, answer.stderr
    assert "last successful sync: never" in answer.stdout
    assert "sync is not configured" in answer.stdout


def test_sync_then_status_then_a_failed_run(cli) -> None:
    with replay_server() as server:
        serve_sources(server)
        synced = cli(
            "sync", oai_url=f"{server.url}/oai", sync_categories="hep-ex",
            sync_sources="oai", arxiv_delay_s="0",
        )  # fmt: skip
    assert synced.returncode == 0, synced.stderr
    assert "run 1 ok" in synced.stdout and "arxiv-oai:hep-ex: 6 new, 0 updated" in synced.stdout
    status = json.loads(cli("status", "--json", sync_categories="hep-ex").stdout)
    assert status["last_sync"] is not None and status["sync_configured"] is True
    assert [run["status"] for run in status["runs"]] == ["ok"]

    failed = cli(
        "sync", oai_url="http://127.0.0.1:9/oai", sync_categories="hep-ex",
        sync_sources="oai", arxiv_delay_s="0", http_retries="0",
    )  # fmt: skip
    assert failed.returncode == 1
    assert "sync run 2 failed: arxiv-oai:hep-ex: 127.0.0.1: cannot connect" in failed.stderr
    assert "Traceback" not in failed.stderr
    runs = json.loads(cli("status", "--json").stdout)["runs"]
    assert [run["status"] for run in runs] == ["failed", "ok"]


def test_a_bad_sync_source_is_one_line(cli) -> None:
    answer = cli("sync", sync_sources="oai,ftp")
    assert answer.returncode == 1
    assert answer.stderr.strip().endswith("unknown sync source(s) ftp; use oai, api, enrich")
