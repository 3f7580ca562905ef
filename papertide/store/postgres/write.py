"""The writes of one ingest batch on PostgreSQL: papers (merged by store/merge.py, exactly as
SqliteStore does), listings, quarantine, checkpoints, line fingerprints and the records'
extras (summaries, organisations, media).

Functions over a connection inside the caller's transaction, which holds the write lock, so
papers found missing here cannot be inserted by anyone else before this batch commits; new
rows therefore go in with COPY.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from papertide.models import (
    IngestCounts,
    Listing,
    Organization,
    Paper,
    PaperSummary,
    Record,
    Rejected,
)
from papertide.store.merge import combine_records, plan_upsert
from papertide.store.org_base import CURATOR_ORG, HF_ORG
from papertide.store.postgres.connection import Connection
from papertide.store.postgres.rows import (
    LISTING_COLUMNS,
    PAPER_COLUMNS,
    bigint_array,
    listing_row,
    load_papers,
    paper_row,
    text_array,
)


def upsert_papers(conn: Connection, records: Sequence[Record], now: datetime) -> IngestCounts:
    """Insert new papers, update changed ones, count the unchanged (see merge.plan_upsert)."""
    incoming, fresh = combine_records(records)
    if not incoming:
        return IngestCounts()
    rows = conn.execute(
        "SELECT id, content_hash FROM papers WHERE id = ANY(%s::text[])",
        (text_array(list(incoming)),),
    )
    hashes: dict[str, str] = dict(rows.fetchall())
    stored = load_papers(conn, [pid for pid in hashes if hashes[pid] != fresh[pid]])
    plan = plan_upsert(incoming, fresh, hashes, stored)
    copy_rows(
        conn,
        f"papers ({PAPER_COLUMNS}, primary_category, content_hash, created_at, modified_at)",
        [(*paper_row(p, h), now, now) for p, h in plan.inserts],
    )
    conn.cursor().executemany(
        "UPDATE papers SET version=%s, title=%s, abstract=%s, authors=%s::text[],"
        " categories=%s::text[],"
        " comment=%s, journal_ref=%s, doi=%s, license=%s, published=%s, updated=%s,"
        " links=%s::jsonb,"
        " primary_category=%s, content_hash=%s, modified_at=%s WHERE id=%s",
        [(*paper_row(p, h)[1:], now, p.id) for p, h in plan.updates],
    )
    changed = [p for p, _ in (*plan.inserts, *plan.updates)]
    write_children(conn, changed, [p.id for p, _ in plan.updates])
    return IngestCounts(new=len(plan.inserts), updated=len(plan.updates), unchanged=plan.unchanged)


def write_children(conn: Connection, papers: list[Paper], replaced: list[str]) -> None:
    """Authors, categories and versions rows of papers just inserted or changed; the rows of
    the `replaced` (updated) papers are written anew. Authors and categories are unnested on
    the server from the arrays just written to `papers`: no row of them crosses the wire."""
    if replaced:
        for table in ("paper_authors", "paper_categories", "paper_versions"):
            conn.execute(f"DELETE FROM {table} WHERE paper_id = ANY(%s::text[])", (replaced,))
    # one read of the papers' rows feeds both tables
    conn.execute(
        "WITH p AS MATERIALIZED (SELECT id, authors, categories FROM papers"
        " WHERE id = ANY(%s::text[])), a AS (INSERT INTO paper_authors (paper_id, position, name)"
        " SELECT p.id, a.n - 1, a.name FROM p, unnest(p.authors) WITH ORDINALITY AS a(name, n))"
        " INSERT INTO paper_categories (paper_id, category) SELECT DISTINCT p.id, c.category"
        " FROM p, unnest(p.categories) AS c(category)",
        (text_array([p.id for p in papers]),),
    )
    # the last row of a repeated version number wins, as SqliteStore's upsert does
    versions = {(p.id, v.number): (v.submitted_at, v.size) for p in papers for v in p.versions}
    copy_rows(
        conn,
        "paper_versions (paper_id, version, submitted_at, size)",
        [(*key, *value) for key, value in versions.items()],
    )


def copy_rows(conn: Connection, target: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY rows into `target` ("table (columns)"), the fastest way in for new rows."""
    with conn.cursor().copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def upsert_listings(conn: Connection, listings: Sequence[Listing]) -> IngestCounts:
    """Insert or update daily listings; a listing equal to the stored one is not written."""
    latest = {(lst.day, lst.paper_id): listing_row(lst) for lst in listings}
    if not latest:
        return IngestCounts()
    rows = conn.execute(
        f"SELECT {LISTING_COLUMNS} FROM listings WHERE (day, paper_id) IN"
        " (SELECT * FROM unnest(%s::date[], %s::text[]))",
        ([day for day, _ in latest], [pid for _, pid in latest]),
    )
    existing = {(row[0], row[1]): tuple(row) for row in rows}
    changed = [row for key, row in latest.items() if existing.get(key) != row]
    conn.cursor().executemany(
        f"INSERT INTO listings ({LISTING_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
        " ON CONFLICT (day, paper_id) DO UPDATE SET position=excluded.position,"
        " submitted_by=coalesce(excluded.submitted_by, listings.submitted_by),"
        " submitted_at=coalesce(excluded.submitted_at, listings.submitted_at),"
        " upvotes=excluded.upvotes, num_comments=excluded.num_comments,"
        " github_stars=coalesce(excluded.github_stars, listings.github_stars)",
        changed,
    )
    new = sum(1 for row in changed if (row[0], row[1]) not in existing)
    return IngestCounts(listings_new=new, listings_updated=len(changed) - new)


def quarantine(conn: Connection, rejected: Sequence[Rejected], now: datetime) -> IngestCounts:
    """Keep each rejected record once per (source, raw text)."""
    conn.cursor().executemany(
        "INSERT INTO quarantine (source, reason, raw, raw_hash, created_at)"
        " VALUES (%s,%s,%s,%s,%s) ON CONFLICT (source, raw_hash) DO NOTHING",
        [
            (
                storable(r.source),
                storable(r.reason),
                storable(r.raw),
                hashlib.sha256(r.raw.encode()).hexdigest(),
                now,
            )
            for r in rejected
        ],
    )
    return IngestCounts(quarantined=len(rejected))


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; a rejected line may (a binary file read as text)."""
    return text.replace("\x00", "\ufffd")


def save_checkpoint(conn: Connection, key: str, value: str | None, now: datetime) -> None:
    if value is None:
        conn.execute("DELETE FROM checkpoints WHERE key=%s", (key,))
    else:
        conn.execute(
            "INSERT INTO checkpoints VALUES (%s,%s,%s) ON CONFLICT (key) DO UPDATE"
            " SET value=excluded.value, saved_at=excluded.saved_at",
            (key, value, now),
        )


def save_fingerprints(conn: Connection, fingerprints: Sequence[int]) -> None:
    if fingerprints:
        conn.execute(
            "INSERT INTO seen_lines SELECT unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
            (bigint_array(fingerprints),),
        )


def save_extras(conn: Connection, records: Sequence[Record]) -> None:
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
                "SELECT 1 FROM paper_orgs WHERE paper_id = %s AND set_by LIKE %s",
                (paper_id, CURATOR_ORG + "%"),
            ).fetchone()
            if curated is None:
                conn.execute(
                    "DELETE FROM paper_orgs WHERE paper_id = %s AND set_by = %s AND org_id NOT IN"
                    " (SELECT id FROM organizations WHERE slug = %s)",
                    (paper_id, HF_ORG, extra.org_slug),
                )
                link_org(conn, paper_id, extra.org_slug, extra.org_name, HF_ORG)
        if extra.media:
            put_media(conn, paper_id, extra.media)


def put_summaries(conn: Connection, summaries: Sequence[PaperSummary]) -> None:
    """Insert or replace each (paper, source) summary."""
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO paper_summaries (paper_id, source, tldr, keywords, content_hash)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (paper_id, source) DO UPDATE SET"
            " tldr = excluded.tldr, keywords = excluded.keywords,"
            " content_hash = excluded.content_hash",
            [
                (s.paper_id, s.source, s.tldr, Jsonb(list(s.keywords)), s.content_hash)
                for s in summaries
            ],
        )


def link_org(conn: Connection, paper_id: str, slug: str, name: str, set_by: str) -> Organization:
    """Link the paper to the organisation `slug`, made with `name` when new."""
    conn.execute(
        "INSERT INTO organizations (slug, name) VALUES (%s, %s) ON CONFLICT (slug) DO NOTHING",
        (slug, name),
    )
    row = conn.execute("SELECT id, name FROM organizations WHERE slug = %s", (slug,)).fetchone()
    assert row is not None  # inserted or present in this transaction
    conn.execute(
        "INSERT INTO paper_orgs (paper_id, org_id, set_by) VALUES (%s, %s, %s)"
        " ON CONFLICT (paper_id, org_id) DO UPDATE SET set_by = excluded.set_by",
        (paper_id, row[0], set_by),
    )
    return Organization(int(row[0]), slug, str(row[1]))


def put_media(conn: Connection, paper_id: str, urls: Sequence[str]) -> None:
    """Replace a paper's media URLs (in order)."""
    conn.execute("DELETE FROM paper_media WHERE paper_id = %s", (paper_id,))
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO paper_media (paper_id, position, url) VALUES (%s, %s, %s)",
            [(paper_id, position, url) for position, url in enumerate(urls)],
        )
