"""settings_for: what `--db` changes in the settings every command starts from."""

import pytest

from papertide.cli.common import settings_for

PRIMARY = "postgresql://app@primary/papertide"
REPLICA = "postgresql://app@replica/papertide"


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERTIDE_DB", PRIMARY)
    monkeypatch.setenv("PAPERTIDE_DB_REPLICA", REPLICA)


def test_settings_for_keeps_the_replica_of_the_configured_database():
    for db in (None, PRIMARY):
        settings = settings_for(db)
        assert (settings.db, settings.db_replica) == (PRIMARY, REPLICA)


def test_settings_for_another_database_reads_no_replica():
    settings = settings_for("sqlite:///copy.db")
    assert (settings.db, settings.db_replica) == ("sqlite:///copy.db", "")
