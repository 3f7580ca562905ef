"""The writes of one ingest batch on SQLite: papers (merged by store/merge.py, exactly as
PostgresStore does), listings, quarantine, checkpoints, line fingerprints and the records'
extras (summaries, organisations, media).

Functions over a connection inside the caller's BEGIN IMMEDIATE transaction (SQLite's one
writer), so papers found missing here cannot be inserted by anyone else before this batch
commits. `now` is the batch's time as stored (ISO 8601 text).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from papertide.models import (
    IngestCounts,
    Listing,
    Organization,
    Paper,
    PaperSummary,
    Record,
    Rejected,
)
from papertide.store.codec import iso
from papertide.store.merge import combine_records, plan_upsert
from papertide.store.org_base import CURATOR_ORG, HF_ORG
from papertide.store.sqlite.connection import chunks, marks
from papertide.store.sqlite.rows import PAPER_COLUMNS, listing_row, load_papers, paper_row

# the authors' and categories' rows of papers, read by SQLite from the papers' own JSON lists
# (a row per element, position = the element's index) rather than bound from Python row by
# row: a third of the time for the 74,728-paper file's 433,449 author rows; a WHERE follows
AUTHOR_ROWS = (
    "INSERT INTO paper_authors SELECT p.id, j.key, j.value"
    " FROM papers p, json_each(p.authors) j WHERE "
)
CATEGORY_ROWS = (
    "INSERT INTO paper_categories SELECT p.id, j.value FROM papers p, json_each(p.categories) j"
    " WHERE "
)


def upsert_papers(conn: sqlite3.Connection, records: Sequence[Record], now: str) -> IngestCounts:
    """Insert new papers, update changed ones, count the unchanged (see merge.plan_upsert)."""
    incoming, fresh = combine_records(records)
    hashes: dict[str, str] = {}
    for chunk in chunks(list(incoming)):
        sql = f"SELECT id, content_hash FROM papers WHERE id IN ({marks(chunk)})"
        hashes.update(conn.execute(sql, chunk).fetchall())
    stored = load_papers(conn, [pid for pid in hashes if hashes[pid] != fresh[pid]])
    plan = plan_upsert(incoming, fresh, hashes, stored)
    last_pk = conn.execute("SELECT coalesce(max(pk), 0) FROM papers").fetchone()[0]
    conn.executemany(
        f"INSERT INTO papers ({PAPER_COLUMNS}, created_at, modified_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(*paper_row(p, h), now, now) for p, h in plan.inserts],
    )
    conn.executemany(
        "UPDATE papers SET version=?, title=?, abstract=?, authors=?, categories=?,"
        " primary_category=?, comment=?, journal_ref=?, doi=?, license=?, published=?,"
        " updated=?, links=?, content_hash=?, modified_at=? WHERE id=?",
        [(*paper_row(p, h)[1:], now, p.id) for p, h in plan.updates],
    )
    write_children(conn, last_pk, [p for p, _ in plan.updates])
    write_versions(conn, [p for p, _ in (*plan.inserts, *plan.updates)])
    return IngestCounts(new=len(plan.inserts), updated=len(plan.updates), unchanged=plan.unchanged)


def write_children(conn: sqlite3.Connection, last_pk: int, updated: list[Paper]) -> None:
    """Authors and categories rows of the papers inserted after `last_pk` (the largest pk
    before: new rows take the next ones) and, written anew, of the `updated` papers."""
    ids = [(p.id,) for p in updated]
    conn.executemany("DELETE FROM paper_authors WHERE paper_id=?", ids)
    conn.executemany("DELETE FROM paper_categories WHERE paper_id=?", ids)
    for rows in (AUTHOR_ROWS, CATEGORY_ROWS):
        conn.execute(rows + "p.pk > ?", (last_pk,))
        conn.executemany(rows + "p.id = ?", ids)


def write_versions(conn: sqlite3.Connection, papers: list[Paper]) -> None:
    """The versions rows of papers just inserted or changed (a known version's row updated)."""
    conn.executemany(
        "INSERT INTO paper_versions VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET"
        " submitted_at=excluded.submitted_at, size=excluded.size",
        [(p.id, v.number, iso(v.submitted_at), v.size) for p in papers for v in p.versions],
    )


def upsert_listings(conn: sqlite3.Connection, listings: Sequence[Listing]) -> IngestCounts:
    """Insert or update daily listings; a listing equal to the stored one is not written."""
    latest = {(lst.day.isoformat(), lst.paper_id): listing_row(lst) for lst in listings}
    existing: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key in latest:
        row = conn.execute(
            "SELECT day, paper_id, position, submitted_by, submitted_at, upvotes,"
            " num_comments, github_stars FROM listings WHERE day=? AND paper_id=?",
            key,
        ).fetchone()
        if row is not None:
            existing[key] = tuple(row)
    changed = [row for key, row in latest.items() if existing.get(key) != row]
    conn.executemany(
        "INSERT INTO listings VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (day, paper_id) DO UPDATE"
        " SET position=excluded.position,"
        " submitted_by=coalesce(excluded.submitted_by, submitted_by),"
        " submitted_at=coalesce(excluded.submitted_at, submitted_at),"
        " upvotes=excluded.upvotes, num_comments=excluded.num_comments,"
        " github_stars=coalesce(excluded.github_stars, github_stars)",
        changed,
    )
    new = sum(1 for row in changed if (row[0], row[1]) not in existing)
    return IngestCounts(listings_new=new, listings_updated=len(changed) - new)


def quarantine(conn: sqlite3.Connection, rejected: Sequence[Rejected], now: str) -> IngestCounts:
    """Keep each rejected record once per (source, raw text)."""
    conn.executemany(
        "INSERT OR IGNORE INTO quarantine (source, reason, raw, raw_hash, created_at)"
        " VALUES (?,?,?,?,?)",
        [
            (r.source, r.reason, r.raw, hashlib.sha256(r.raw.encode()).hexdigest(), now)
            for r in rejected
        ],
    )
    return IngestCounts(quarantined=len(rejected))


def save_checkpoint(conn: sqlite3.Connection, key: str, value: str | None, now: str) -> None:
    if value is None:
        conn.execute("DELETE FROM checkpoints WHERE key=?", (key,))
    else:
        conn.execute(
            "INSERT INTO checkpoints VALUES (?,?,?) ON CONFLICT (key) DO UPDATE"
            " SET value=excluded.value, saved_at=excluded.saved_at",
            (key, value, now),
        )


def save_fingerprints(conn: sqlite3.Connection, fingerprints: Sequence[int]) -> None:
    conn.executemany("INSERT OR IGNORE INTO seen_lines VALUES (?)", [(f,) for f in fingerprints])


def save_extras(conn: sqlite3.Connection, records: Sequence[Record]) -> None:
    """The records' Hugging Face summaries, organisations and media, in the batch's
    transaction (upserts: a re-run rewrites the same rows). A paper's imported organisation
    replaces the one imported before; none is linked to a paper a curator gave one."""
    extras = [(r.paper.id, r.extras) for r in records if r.extras is not None]
    summaries = [extra.summary for _, extra in extras if extra.summary is not None]
    if summaries:
        put_summaries(conn, summaries)
    for paper_id, extra in extras:
        if extra.org_slug and extra.org_name:
            curated = conn.execute(
                "SELECT 1 FROM paper_orgs WHERE paper_id = ? AND set_by LIKE ?",
                (paper_id, CURATOR_ORG + "%"),
            ).fetchone()
            if curated is None:
                conn.execute(
                    "DELETE FROM paper_orgs WHERE paper_id = ? AND set_by = ? AND org_id NOT IN"
                    " (SELECT id FROM organizations WHERE slug = ?)",
                    (paper_id, HF_ORG, extra.org_slug),
                )
                link_org(conn, paper_id, extra.org_slug, extra.org_name, HF_ORG)
        if extra.media:
            put_media(conn, paper_id, extra.media)


def put_summaries(conn: sqlite3.Connection, summaries: Sequence[PaperSummary]) -> None:
    """Insert or replace each (paper, source) summary."""
    conn.executemany(
        "INSERT INTO paper_summaries (paper_id, source, tldr, keywords, content_hash)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id, source) DO UPDATE SET"
        " tldr = excluded.tldr, keywords = excluded.keywords,"
        " content_hash = excluded.content_hash",
        [
            (s.paper_id, s.source, s.tldr, json.dumps(list(s.keywords)), s.content_hash)
            for s in summaries
        ],
    )


def link_org(
    conn: sqlite3.Connection, paper_id: str, slug: str, name: str, set_by: str
) -> Organization:
    """Link the paper to the organisation `slug`, made with `name` when new."""
    conn.execute(
        "INSERT INTO organizations (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING",
        (slug, name),
    )
    org_id, org_name = conn.execute(
        "SELECT id, name FROM organizations WHERE slug = ?", (slug,)
    ).fetchone()
    conn.execute(
        "INSERT INTO paper_orgs (paper_id, org_id, set_by) VALUES (?, ?, ?)"
        " ON CONFLICT (paper_id, org_id) DO UPDATE SET set_by = excluded.set_by",
        (paper_id, org_id, set_by),
    )
    return Organization(int(org_id), slug, str(org_name))


def put_media(conn: sqlite3.Connection, paper_id: str, urls: Sequence[str]) -> None:
    """Replace a paper's media URLs (in order)."""
    conn.execute("DELETE FROM paper_media WHERE paper_id = ?", (paper_id,))
    conn.executemany(
        "INSERT INTO paper_media (paper_id, position, url) VALUES (?, ?, ?)",
        [(paper_id, position, url) for position, url in enumerate(urls)],
    )
