"""OrgStore on both engines (organisation pages, a curator's change of a paper's organisation),
and the extras of an ingest batch written in the batch's own transaction: a crash while they
are written loses nothing and a re-run duplicates nothing (#15)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from papertide.clock import FixedClock
from papertide.errors import StoreError
from papertide.ingest import ingest
from papertide.models import (
    Checkpoint,
    Follow,
    Organization,
    Paper,
    PaperExtras,
    ParseResult,
    Record,
)
from papertide.sources.hf_daily import HfDailyFilesSource
from papertide.store.base import Store, read_migrations
from papertide.store.org_base import HF_ORG
from papertide.store.postgres import write as pg_write
from papertide.store.sqlite import SqliteStore
from papertide.store.sqlite import write as sqlite_write

HF = Path(__file__).resolve().parents[2] / "data" / "hf"
DAYS = [HF / "2026-03-10.json.gz", HF / "2026-08-21.json.gz"]
CHECKPOINT = "hf-daily:test-days"


def paper(pid: str, day: int) -> Paper:
    published = datetime(2026, 3, day, tzinfo=UTC)
    return Paper(
        pid, f"Paper {pid}", "About labs.", ("Ada Lovelace",), ("cs.LG",), published=published
    )


def stored(store: Store, *papers: Paper) -> None:
    store.write_batch([Record(p) for p in papers], [])


def test_organizations_count_papers_and_page_them_newest_first(store):
    stored(store, paper("2603.00001", 1), paper("2603.00002", 3), paper("2603.00003", 2))
    for pid in ("2603.00001", "2603.00002", "2603.00003"):
        store.set_paper_org(pid, "acme", "ACME", HF_ORG)
    store.set_paper_org("2603.00001", "beta", "Beta Lab", HF_ORG)
    store.set_paper_org("2603.00002", "alpha", "Alpha Lab", HF_ORG)

    found = store.organizations(10)

    assert [(c.org.slug, c.papers) for c in found] == [("acme", 3), ("alpha", 1), ("beta", 1)]
    assert [(c.org.slug, c.papers) for c in store.organizations(1, offset=1)] == [("alpha", 1)]
    acme = store.org_by_slug("acme")
    assert acme is not None and (acme.org.name, acme.papers) == ("ACME", 3)
    assert store.org_by_slug("nobody") is None
    assert [p.id for p in store.papers_of_org("acme", 10)] == [
        "2603.00002",
        "2603.00003",
        "2603.00001",
    ]
    assert [p.id for p in store.papers_of_org("acme", 1, offset=2)] == ["2603.00001"]
    assert store.papers_of_org("nobody", 10) == []


def test_a_curator_replaces_and_unlinks_a_paper_organisation(store):
    stored(store, paper("2603.00001", 1))
    store.set_paper_org("2603.00001", "acme", "ACME", HF_ORG)
    store.set_paper_org("2603.00001", "beta", "Beta", HF_ORG)

    made = store.replace_paper_org("2603.00001", "gamma-lab", "Gamma & Co <b>", "curator:ann")

    assert made == Organization(made.id, "gamma-lab", "Gamma & Co <b>")
    links = store.paper_orgs("2603.00001")
    assert [(link.org.slug, link.set_by) for link in links] == [("gamma-lab", "curator:ann")]
    assert store.org_by_slug("acme") is not None  # the organisation stays, without the paper
    assert [c.org.slug for c in store.organizations(10)] == ["gamma-lab"]
    assert store.unlink_paper_org("2603.00001", "gamma-lab") is True
    assert store.unlink_paper_org("2603.00001", "gamma-lab") is False
    assert store.paper_orgs("2603.00001") == []


class CheckpointedDays:
    """Daily Papers files as a harvest that checkpoints after each day."""

    name = "hf-daily"

    def records(self) -> Iterator[ParseResult]:
        for path in DAYS:
            yield from HfDailyFilesSource([path]).records()
            yield Checkpoint(CHECKPOINT, path.name)


def expected_extras() -> tuple[dict[str, str], set[str], dict[str, list[str]]]:
    """paper id -> org slug, ids with a summary, id -> media, as the files hold them."""
    records = [r for r in CheckpointedDays().records() if isinstance(r, Record) and r.extras]
    return (
        {r.paper.id: r.extras.org_slug for r in records if r.extras and r.extras.org_slug},
        {r.paper.id for r in records if r.extras and r.extras.summary},
        {r.paper.id: list(r.extras.media) for r in records if r.extras and r.extras.media},
    )


def test_a_crash_while_extras_are_written_loses_nothing_and_a_rerun_duplicates_nothing(
    store, monkeypatch: pytest.MonkeyPatch
):
    module = sqlite_write if isinstance(store, SqliteStore) else pg_write
    real = module.save_extras
    calls: list[Sequence[Record]] = []

    def crash_second_batch(conn: Any, records: Sequence[Record]) -> None:
        calls.append(records)
        if len(calls) == 2:
            raise StoreError("the server went away while the extras were written")
        real(conn, records)

    monkeypatch.setattr(module, "save_extras", crash_second_batch)
    crashed = ingest(store, CheckpointedDays())
    monkeypatch.undo()

    assert isinstance(crashed.error, StoreError)
    assert store.get_checkpoint(CHECKPOINT) == DAYS[0].name  # the second day is not done
    assert store.stats().papers == 28  # the first day's papers, none of the second's
    orgs, summaries, media = expected_extras()
    first_day = {p.id for _, p in store.listings_for(date(2026, 3, 10))}
    assert set(store.orgs_for(list(orgs))) == set(orgs) & first_day

    assert ingest(store, CheckpointedDays()).error is None
    assert ingest(store, CheckpointedDays()).error is None  # and once more: nothing doubles

    assert store.get_checkpoint(CHECKPOINT) == DAYS[1].name
    found = store.orgs_for(list(orgs))
    assert {pid: [o.slug for o in found[pid]] for pid in found} == {
        pid: [slug] for pid, slug in orgs.items()
    }
    assert set(store.summaries_for(list(summaries))) == summaries
    assert store.media_for(list(media)) == media
    assert store.count_rows("paper_orgs") == len(orgs)
    assert store.count_rows("paper_summaries") == len(summaries)
    assert store.count_rows("paper_media") == sum(len(urls) for urls in media.values())


def test_an_import_does_not_override_a_curator_organisation(store):
    assert ingest(store, CheckpointedDays()).error is None
    orgs, _, _ = expected_extras()
    pid = sorted(orgs)[0]
    store.replace_paper_org(pid, "the-real-lab", "The Real Lab", "curator:ann")

    store.write_batch([r for r in CheckpointedDays().records() if isinstance(r, Record)], [])

    assert [(link.org.slug, link.set_by) for link in store.paper_orgs(pid)] == [
        ("the-real-lab", "curator:ann")
    ]


def test_a_later_import_replaces_the_organisation_imported_before(store):
    first = paper("2603.00001", 1)
    store.write_batch([Record(first, extras=PaperExtras(org_name="ETH Z", org_slug="eth-z"))], [])
    renamed = PaperExtras(org_name="ETH Zürich", org_slug="eth-zurich")
    store.write_batch([Record(first, extras=renamed)], [])
    links = store.paper_orgs("2603.00001")
    assert [(link.org.slug, link.set_by) for link in links] == [("eth-zurich", HF_ORG)]


def test_a_user_follows_an_organisation_by_slug(store):
    user = store.create_user("ann", None, "hash")
    store.set_follow(user.id, Follow("org", "acme-ai"), True)
    store.set_follow(user.id, Follow("author", "Ada Lovelace"), True)
    assert store.follows_of(user.id) == [Follow("author", "Ada Lovelace"), Follow("org", "acme-ai")]
    store.set_follow(user.id, Follow("org", "acme-ai"), False)
    assert store.follows_of(user.id) == [Follow("author", "Ada Lovelace")]


def test_m022_keeps_the_follows_of_a_sqlite_store_from_before(tmp_path: Path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for migration in read_migrations("papertide.store.sqlite.migrations"):
        if migration.name < "m022":
            conn.executescript(migration.sql)
            conn.execute("INSERT INTO schema_migrations VALUES (?, '')", (migration.name,))
    conn.execute("INSERT INTO users (id, username, password_hash, is_admin, created_at)"
                 " VALUES (1, 'ann', 'h', 1, '2026-01-01')")  # fmt: skip
    conn.execute("INSERT INTO follows VALUES (1, 'author', 'Ada Lovelace', '2026-01-01')")
    conn.close()
    store = SqliteStore(db, FixedClock())
    assert "m022_follow_orgs" in store.migrate()
    store.set_follow(1, Follow("org", "acme-ai"), True)
    assert store.follows_of(1) == [Follow("author", "Ada Lovelace"), Follow("org", "acme-ai")]
    store.close()
