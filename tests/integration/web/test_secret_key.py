"""The CSRF key: from settings, else created once beside the database (mode 0600) and reused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from papertide.config import Settings
from papertide.errors import StoreError
from papertide.secret_key import load_secret_key


def test_secret_key_comes_from_settings_when_set(tmp_path: Path):
    settings = Settings(db=str(tmp_path / "a.db"), secret_key="from settings")
    assert load_secret_key(settings) == b"from settings"
    assert not (tmp_path / "a.db.secret").exists()


def test_secret_key_file_is_created_private_and_reused(tmp_path: Path):
    settings = Settings(db=f"sqlite:///{tmp_path / 'a.db'}")
    first = load_secret_key(settings)
    path = tmp_path / "a.db.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and bytes.fromhex(first.decode())  # 32 random bytes, as hex
    assert load_secret_key(settings) == first
    assert [p.name for p in tmp_path.iterdir()] == ["a.db.secret"]  # no drafts left


def test_secret_key_for_memory_databases_is_random_per_call():
    settings = Settings(db=":memory:")
    assert load_secret_key(settings) != load_secret_key(settings)


def test_a_damaged_secret_key_file_is_reported(tmp_path: Path):
    (tmp_path / "a.db.secret").write_text("not hex")
    with pytest.raises(StoreError, match="does not hold a hex key"):
        load_secret_key(Settings(db=str(tmp_path / "a.db")))


def test_secret_key_file_contents_given_as_the_setting_sign_alike(tmp_path: Path):
    from_file = load_secret_key(Settings(db=str(tmp_path / "a.db")))
    pasted = (tmp_path / "a.db.secret").read_text().strip()
    other_host = Settings(db="postgresql://db.example/papertide", secret_key=pasted)
    assert load_secret_key(other_host) == from_file
