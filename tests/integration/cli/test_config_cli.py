"""The settings file: `--config PATH` or $PAPERTIDE_CONFIG, read by every command, under the
environment and command options (docs/settings.md), through the real `python -m papertide`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def papertide(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI with no PAPERTIDE_* variables but `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTIDE_")}
    return subprocess.run(
        [sys.executable, "-m", "papertide", *args],
        capture_output=True, text=True, env={**clean, **env}, timeout=120,
    )  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "papertide.toml"
    path.write_text(f'db = "{tmp_path / "from-file.db"}"\nhttp_retries = 2\n')
    return path


def test_config_option_names_the_database_every_command_opens(tmp_path: Path, config: Path):
    made = papertide("--config", str(config), "init")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"Database ready: {tmp_path / 'from-file.db'}"
    stats = papertide("--config", str(config), "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert (tmp_path / "from-file.db").exists()


def test_the_environment_variable_names_the_file_too(tmp_path: Path, config: Path):
    made = papertide("init", PAPERTIDE_CONFIG=str(config))
    assert made.stdout.strip() == f"Database ready: {tmp_path / 'from-file.db'}"


def test_environment_wins_over_the_file_and_options_over_both(tmp_path: Path, config: Path):
    env_db, option_db = tmp_path / "from-env.db", tmp_path / "from-option.db"
    by_env = papertide("--config", str(config), "init", PAPERTIDE_DB=str(env_db))
    assert by_env.stdout.strip() == f"Database ready: {env_db}"
    by_option = papertide(
        "--config", str(config), "init", "--db", str(option_db), PAPERTIDE_DB=str(env_db)
    )
    assert by_option.stdout.strip() == f"Database ready: {option_db}"
    other = tmp_path / "other.toml"
    other.write_text(f'db = "{tmp_path / "other.db"}"\n')
    # --config wins over $PAPERTIDE_CONFIG
    chosen = papertide("--config", str(other), "init", PAPERTIDE_CONFIG=str(config))
    assert chosen.stdout.strip() == f"Database ready: {tmp_path / 'other.db'}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "Error: no such settings file: "),
        ("db = [unclosed\n", "Error: bad settings file "),
        ('colour = "blue"\n', "Error: unknown setting(s): colour"),
        ('http_retries = "many"\n', "Error: setting http_retries must be of type int"),
    ],
)
def test_a_missing_or_bad_file_is_one_line_and_exit_1(
    tmp_path: Path, text: str | None, message: str
):
    path = tmp_path / "settings.toml"
    if text is not None:
        path.write_text(text)
    result = papertide("--config", str(path), "stats")
    assert result.returncode == 1
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
