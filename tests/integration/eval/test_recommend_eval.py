"""`papertide eval --recommend` end to end on a 440-paper slice of the Daily Papers archive
(tests/data/recommend/README.md): real files, the real static embedder, real processes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from papertide.eval.recommend import (
    STATIC_ROW,
    SVM_NAME,
    TRENDING_NAME,
    PapertideDigest,
    compare_recommenders,
    embed_archive,
    run_recommend_eval,
)
from papertide.eval.recommend_data import load_archive, simulate
from papertide.index.embed import HashEmbedder

FIXTURE = Path(__file__).resolve().parents[2] / "data" / "recommend"
ROWS = [TRENDING_NAME, SVM_NAME, STATIC_ROW]


def run_cli(*extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "papertide", "eval", "--recommend", "--data", str(FIXTURE),
               "--skip-contextual", *extra]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_eval_recommend_cli_prints_every_ranker_as_json():
    done = run_cli("--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [row["name"] for row in report["rows"]] == ROWS
    assert report["users"] == {"dev": 20, "test": 15}
    assert report["dev_months"] == ["2026-03", "2026-04"]
    assert report["test_months"] == ["2026-05", "2026-06"]
    trending, svm, ours = report["rows"]
    assert set(ours["test_by_topic"]) == {"cs.AI", "cs.CL", "cs.CV"}
    for row in (svm, ours):  # personal digests beat the one digest everybody gets
        assert row["dev"] > trending["dev"] and row["test"] > trending["test"]
    (gain,) = report["gains"]
    assert gain["ranker"] == STATIC_ROW and gain["baseline"] == SVM_NAME
    assert gain["low"] <= gain["difference"] <= gain["high"]
    assert isinstance(report["figure_holds"], bool)
    assert "embedding 440 papers with papertide (static vectors)" in done.stderr


def test_eval_recommend_cli_explains_missing_data(tmp_path):
    command = [sys.executable, "-m", "papertide", "eval", "--recommend", "--data",
               str(tmp_path), "--skip-contextual"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "evaluation data not found" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def simulation():
    return simulate(load_archive(FIXTURE))


@pytest.fixture(scope="module")
def hash_vectors(simulation):
    return embed_archive(simulation, HashEmbedder(128))


def test_compare_recommenders_summary_prints_one_table_and_the_figure(simulation):
    logged: list[str] = []
    report = compare_recommenders(FIXTURE, {"ours": HashEmbedder(128)}, logged.append, simulation)
    lines = report.summary().splitlines()
    assert lines[1].split() == ["ranker", "dev", "test", "cs.AI", "cs.CL", "cs.CV", "seconds"]
    assert [line.split("  ")[0].strip() for line in lines[3:6]] == [TRENDING_NAME, SVM_NAME, "ours"]
    assert "20 dev users (months 2026-03 to 2026-04), 15 test users" in lines[7]
    assert lines[8].startswith(f"ours - {SVM_NAME} on test: ")
    assert lines[9].startswith("figure (papertide beats both baselines on test P@10): ")
    assert logged[:2] == ["35 simulated users over 4 months", "embedding 440 papers with ours"]


def test_papertide_digest_is_deterministic(simulation, hash_vectors):
    first = run_recommend_eval(simulation, [PapertideDigest(hash_vectors)])
    again = run_recommend_eval(simulation, [PapertideDigest(hash_vectors)])
    assert [(r.dev, r.test, r.test_by_topic) for r in first.rows] == [
        (r.dev, r.test, r.test_by_topic) for r in again.rows
    ]


def test_papertide_digest_can_train_on_month_n_alone(simulation, hash_vectors):
    ranker = PapertideDigest(hash_vectors, "history only", history_only=True)
    (row,) = run_recommend_eval(simulation, [ranker]).rows
    assert 0.3 < row.dev <= 1 and 0.3 < row.test <= 1


def test_compare_recommenders_without_embedders_runs_the_baselines_only(simulation):
    report = compare_recommenders(FIXTURE, {}, simulation=simulation)
    assert [row.name for row in report.rows] == [TRENDING_NAME, SVM_NAME]
    assert report.gains == () and not report.figure_holds
