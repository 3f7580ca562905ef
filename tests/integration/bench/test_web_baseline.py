"""bench/web.py --baseline starts the "before" server from the baseline's checkout: `python -m`
puts the working directory on sys.path ahead of PYTHONPATH, so a server started from this
checkout ran this code on both sides of the comparison."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.web import CHECKOUT, Server, start


def fake_checkout(root: Path) -> Path:
    """A checkout whose `python -m papertide ...` writes where it ran from, then exits."""
    package = root / "papertide"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(
        "import os, pathlib\n"
        "pathlib.Path(os.environ['RAN_FILE']).write_text(str(pathlib.Path(__file__).parent))\n"
    )
    return root


def test_a_baseline_server_runs_the_baseline_code_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    baseline = fake_checkout(tmp_path / "before")
    ran = tmp_path / "ran.txt"
    monkeypatch.setenv("RAN_FILE", str(ran))
    monkeypatch.chdir(CHECKOUT)  # where `python -m bench.web` runs
    with (tmp_path / "serve.log").open("ab") as log:
        process = start(Server("before", {}, code=baseline), tmp_path / "x.db", 1, log)
    assert process.wait(timeout=60) == 0, (tmp_path / "serve.log").read_text()
    assert Path(ran.read_text()) == baseline / "papertide"
    assert os.getcwd() == str(CHECKOUT)  # the bench itself stays where it was
