"""Listing browsing on PostgreSQL: submitted listings, listings and days over a date range,
trending signals, and a name's or a category's newest papers. Same contract as SqliteStore
(see CommunityStore in store/base.py). Which reads may use a read replica: see PgBase."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from papertide.errors import PaperNotFoundError
from papertide.models import Listing, Paper, PaperSignals
from papertide.store.base import paper_signals
from papertide.store.postgres.connection import Connection, PgBase
from papertide.store.postgres.rows import (
    LISTING_COLUMNS,
    listing_row,
    load_papers,
    load_row_papers,
    papers_in_order,
    row_to_listing,
)

# Newest first, as SQLite orders: a paper without a date sorts after every dated one.
_NEWEST = "ORDER BY p.published DESC NULLS LAST, p.pk DESC LIMIT %s OFFSET %s"


class PgBrowse(PgBase):
    """The daily pages over time and papers by author or category."""

    def add_listing(self, listing: Listing) -> bool:
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM papers WHERE id = %s", (listing.paper_id,)).fetchone():
                cursor = conn.execute(
                    f"INSERT INTO listings ({LISTING_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
                    " ON CONFLICT DO NOTHING",
                    listing_row(listing),
                )
                return cursor.rowcount == 1
        raise PaperNotFoundError(f"no paper {listing.paper_id} in the store")

    def remove_listing(self, day: date, paper_id: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM listings WHERE day = %s AND paper_id = %s", (day, paper_id)
            )
            return cursor.rowcount == 1

    def listings_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        return self._listings(since, until, load_papers)

    def listing_rows_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        return self._listings(since, until, load_row_papers)

    def _listings(
        self, since: date, until: date, load: Callable[[Connection, list[str]], dict[str, Paper]]
    ) -> list[tuple[Listing, Paper]]:
        """The listings from the primary (users submit them), their papers `load`ed from the
        replica."""
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {LISTING_COLUMNS} FROM listings WHERE day BETWEEN %s AND %s"
                " ORDER BY day DESC, position, paper_id",
                (since, until),
            ).fetchall()
        papers = self._lookup(load, list({row[1] for row in rows}))
        return [(row_to_listing(row), papers[row[1]]) for row in rows]

    def listing_days(self, since: date, until: date) -> list[tuple[date, int]]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT day, count(*) FROM listings WHERE day BETWEEN %s AND %s GROUP BY day"
                " ORDER BY day DESC",
                (since, until),
            ).fetchall()
        return [(day, int(count)) for day, count in rows]

    def trending_signals(self, since: date, until: date) -> list[PaperSignals]:
        """Signals of every paper listed between since and until (inclusive), newest day
        first; see sqlite/browse.py for what each field counts."""
        with self._transaction() as conn:
            rows = conn.execute(
                "WITH firsts AS (SELECT paper_id, min(day) AS day FROM listings WHERE paper_id IN"
                " (SELECT paper_id FROM listings WHERE day BETWEEN %(since)s AND %(until)s)"
                " GROUP BY paper_id)"
                " SELECT f.paper_id, p.primary_category, f.day, l.submitted_at,"
                " (SELECT max(upvotes) FROM listings WHERE paper_id = f.paper_id),"
                " (SELECT max(num_comments) FROM listings WHERE paper_id = f.paper_id)"
                " + (SELECT count(*) FROM comments WHERE paper_id = f.paper_id"
                " AND deleted_at IS NULL)"
                " FROM firsts f JOIN papers p ON p.id = f.paper_id"
                " JOIN listings l ON l.day = f.day AND l.paper_id = f.paper_id"
                " ORDER BY f.day DESC, l.position, f.paper_id",
                {"since": since, "until": until},
            ).fetchall()
            votes: dict[str, list[datetime]] = {}
            for paper_id, created_at in conn.execute(
                "SELECT paper_id, created_at FROM votes WHERE paper_id IN"
                " (SELECT paper_id FROM listings WHERE day BETWEEN %s AND %s) ORDER BY created_at",
                (since, until),
            ):
                votes.setdefault(paper_id, []).append(created_at)
        return paper_signals(rows, votes)

    def papers_by_author(self, name: str, limit: int, offset: int = 0) -> list[Paper]:
        """Papers with an author of this name (ASCII letters in any case, as SQLite's
        NOCASE), newest published first."""
        return self._newest(
            "SELECT p.id FROM papers p WHERE p.id IN (SELECT paper_id FROM paper_authors"
            ' WHERE lower(name) = lower(%s::text COLLATE "C")) ' + _NEWEST,
            name,
            limit,
            offset,
        )

    def papers_in_category(self, category: str, limit: int, offset: int = 0) -> list[Paper]:
        """The planner picks walking papers_newest (big categories) or sorting the members
        (small ones), the two plans sqlite/browse.py chooses between by hand."""
        return self._newest(
            "SELECT p.id FROM papers p WHERE EXISTS (SELECT 1 FROM paper_categories c"
            " WHERE c.paper_id = p.id AND c.category = %s) " + _NEWEST,
            category,
            limit,
            offset,
        )

    def _newest(self, sql: str, *params: object) -> list[Paper]:
        with self._read() as conn:  # replica
            ids = [str(row[0]) for row in conn.execute(sql, params)]
            return papers_in_order(conn, ids)
