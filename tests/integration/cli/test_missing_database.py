"""A command that reads a store, given a database that does not exist (a mistyped --db), says so
in one line and exits 1; it never creates an empty store that would answer "0 results"."""

from __future__ import annotations

from pathlib import Path

import pytest

READERS = [
    ("stats",),
    ("show", "2401.00001"),
    ("daily",),
    ("export", "--format", "bibtex"),
    ("quarantine",),
    ("search", "transformers"),
    ("similar", "2401.00001"),
    ("index",),
    ("status",),
    ("mcp",),
    ("digest", "send"),
    ("digest", "unsubscribe", "someone@example.org"),
]


@pytest.mark.parametrize("command", READERS, ids=[" ".join(c) for c in READERS])
def test_a_reading_command_on_a_missing_database_is_a_one_line_error(
    cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    typo = tmp_path / "typo.db"
    answer = cli(*command, "--db", str(typo), stdin="")
    assert answer.returncode == 1
    assert answer.stderr.strip().splitlines() == [
        f"Error: no database at {typo}; `papertide init`, `demo` or `ingest` creates one"
    ]
    assert not typo.exists()
    assert list(tmp_path.iterdir()) == []  # no index folders, key file or WAL either


def test_migrate_from_a_missing_database_creates_no_target(cli, tmp_path: Path) -> None:
    answer = cli("migrate", str(tmp_path / "typo.db"), str(tmp_path / "copy.db"))
    assert answer.returncode == 1
    assert "no database at" in answer.stderr
    assert not (tmp_path / "copy.db").exists()
