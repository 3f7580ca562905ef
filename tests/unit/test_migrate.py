"""The pure parts of papertide.migrate: row canonical form and database names without
passwords."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from papertide.migrate import TableCheck, canonical_row, describe_db


def test_describe_db_drops_only_the_password():
    assert (
        describe_db("postgresql://app:s3cr:t@db:5432/papers") == "postgresql://app@db:5432/papers"
    )
    assert describe_db("postgres://app@db/papers") == "postgres://app@db/papers"
    assert describe_db("postgresql://db/papers?user=x") == "postgresql://db/papers?user=x"
    assert describe_db("sqlite:///data/a.db") == "sqlite:///data/a.db"
    assert describe_db("a.db") == "a.db"


def test_canonical_row_is_equal_for_equal_values_of_either_engine():
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 2, 10, 0, tzinfo=paris)
    utc = canonical_row((1, moment, date(2026, 3, 2), b"\x01\xff", "a\x00b", [1, "x"], None))
    assert utc == canonical_row(
        (1, datetime(2026, 3, 2, 9, 0), date(2026, 3, 2), b"\x01\xff", "a\ufffdb", [1, "x"], None)
    )
    assert b'"2026-03-02T09:00:00.000000+00:00"' in utc and b'"01ff"' in utc
    assert canonical_row((True,)) != canonical_row((1,))
    assert canonical_row((datetime(2026, 3, 2, 9, tzinfo=UTC),)) != canonical_row(
        (datetime(2026, 3, 2, 9, 0, 0, 1, tzinfo=UTC),)
    )


def test_table_check_is_ok_only_when_rows_and_checksum_agree():
    assert TableCheck("t", 2, 2, "ab", "ab").ok
    assert not TableCheck("t", 2, 2, "ab", "cd").ok
    assert not TableCheck("t", 2, 3, "ab", "ab").ok
