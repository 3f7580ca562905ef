"""The package installs without its dev extras and works from the wheel (demo data included)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installs_without_dev_extras_and_runs(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(ROOT)], check=True, capture_output=True, timeout=600)
    papertide = str(venv / "bin" / "papertide")
    assert (
        "Usage: papertide"
        in subprocess.run([papertide, "--help"], check=True, capture_output=True, text=True).stdout
    )
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert not installed & {"pytest", "ruff", "mypy"}
    db = tmp_path / "demo.db"
    subprocess.run(
        [papertide, "demo", "--db", str(db)], check=True, capture_output=True, cwd=tmp_path
    )
    stats = subprocess.run(
        [papertide, "stats", "--json", "--db", str(db)], check=True, capture_output=True, text=True
    )
    assert json.loads(stats.stdout)["papers"] > 20_000
