import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def paper_line(n: int) -> str:
    return json.dumps(
        {
            "id": f"2601.{n:05d}",
            "title": f"Paper number {n} on sparse attention",
            "abstract": f"We study problem {n}. Code: https://github.com/lab/p{n}",
            "authors": ["Ada Lovelace", f"Author {n}"],
            "categories": ["cs.CL", "cs.LG"],
            "first_listed": "2026-01-05",
        }
    )


@pytest.fixture
def papers_file(tmp_path: Path) -> Callable[..., Path]:
    def make(count: int, bad: list[str] = (), name: str = "papers.jsonl") -> Path:  # type: ignore[assignment]
        path = tmp_path / name
        lines = [paper_line(n) for n in range(1, count + 1)] + list(bad)
        path.write_text("\n".join(lines) + "\n")
        return path

    return make


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `python -m papertide` with a database in tmp_path."""
    env = {**os.environ, "PAPERTIDE_DB": str(tmp_path / "cli.db"), "COLUMNS": "200"}

    def run(
        *args: str, stdin: str | None = None, **settings: str
    ) -> subprocess.CompletedProcess[str]:
        """`settings` become PAPERTIDE_<NAME> variables (e.g. arxiv_delay_s="0")."""
        extra = {f"PAPERTIDE_{name.upper()}": value for name, value in settings.items()}
        return subprocess.run(
            [sys.executable, "-m", "papertide", *args],
            capture_output=True, text=True, env={**env, **extra}, input=stdin, timeout=120,
        )  # fmt: skip

    return run
