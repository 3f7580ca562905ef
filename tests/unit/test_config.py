from pathlib import Path

import pytest

from papertide.config import DEFAULT_DB, Settings, load_settings
from papertide.errors import InputError


def test_defaults_without_environment():
    assert load_settings({}) == Settings()
    assert Settings().db == DEFAULT_DB


def test_environment_overrides_file(tmp_path: Path):
    path = tmp_path / "papertide.toml"
    path.write_text('db = "from-file.db"\narxiv_delay_s = 5\n')
    settings = load_settings({"PAPERTIDE_DB": "from-env.db", "OTHER": "x"}, path)
    assert settings.db == "from-env.db"
    assert settings.arxiv_delay_s == 5.0


def test_bad_values_and_unknown_keys_are_clear_errors(tmp_path: Path):
    with pytest.raises(InputError, match="setting http_retries must be of type int, not 'many'"):
        load_settings({"PAPERTIDE_HTTP_RETRIES": "many"})
    path = tmp_path / "s.toml"
    path.write_text("colour = 'blue'\n")
    with pytest.raises(InputError, match="unknown setting"):
        load_settings({}, path)
    path.write_text("db = \n")
    with pytest.raises(InputError, match="bad settings file"):
        load_settings({}, path)
    with pytest.raises(InputError, match="no such settings file"):
        load_settings({}, tmp_path / "missing.toml")


def test_booleans_from_toml_and_the_environment(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text("hf_mirror = true\nsync_categories = 'cs,stat.ML'\n")
    assert load_settings({}, path).hf_mirror is True
    assert load_settings({"PAPERTIDE_HF_MIRROR": "no"}, path).hf_mirror is False
    for text, value in (("1", True), ("Yes", True), ("false", False), ("0", False)):
        assert load_settings({"PAPERTIDE_HF_MIRROR": text}).hf_mirror is value
    with pytest.raises(InputError, match="setting hf_mirror must be of type bool, not 'maybe'"):
        load_settings({"PAPERTIDE_HF_MIRROR": "maybe"})
