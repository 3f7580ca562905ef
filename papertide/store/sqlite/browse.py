"""Listing browsing on SQLite: submitted listings, listings and days over a date range, trending
signals, and a name's or a category's newest papers. Same contract as PostgresStore (see
CommunityStore in store/base.py)."""

from __future__ import annotations

import math
from datetime import date, datetime

from papertide.models import Listing, Paper, PaperSignals
from papertide.store.base import paper_signals
from papertide.store.sqlite.community import require_paper
from papertide.store.sqlite.connection import SqliteBase, when
from papertide.store.sqlite.rows import (
    listing_row,
    load_papers,
    papers_in_order,
    row_paper,
    row_to_listing,
)

# Two plans for one category's newest papers. Walking papers in published order until enough
# match reads about (limit + offset) * papers / members rows; gathering the members and sorting
# reads `members` rows. They cost the same at members = sqrt((limit + offset) * papers).
# Measured on 75k papers: cs.CV (38k members) 18 ms walking vs 199 ms sorting; q-fin.CP
# (31 members) 272 ms walking vs 0.2 ms sorting.
_CATEGORY_WALK = (
    "SELECT p.id FROM papers p INDEXED BY papers_published WHERE EXISTS"
    " (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id AND c.category = ?)"
    " ORDER BY p.published DESC, p.pk DESC LIMIT ? OFFSET ?"
)
_CATEGORY_SORT = (
    "SELECT p.id FROM papers p WHERE p.id IN"
    " (SELECT paper_id FROM paper_categories WHERE category = ?)"
    " ORDER BY p.published DESC, p.pk DESC LIMIT ? OFFSET ?"
)


class SqliteBrowse(SqliteBase):
    """The daily pages over time and papers by author or category."""

    def add_listing(self, listing: Listing) -> bool:
        """False when (day, paper) was listed already."""
        with self._transaction() as conn:
            require_paper(conn, listing.paper_id)
            cursor = conn.execute(
                "INSERT INTO listings VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                listing_row(listing),
            )
            return cursor.rowcount == 1

    def remove_listing(self, day: date, paper_id: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM listings WHERE day = ? AND paper_id = ?", (day.isoformat(), paper_id)
            )
            return cursor.rowcount == 1

    def listings_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        rows = self._conn.execute(
            "SELECT * FROM listings WHERE day BETWEEN ? AND ?"
            " ORDER BY day DESC, position, paper_id",
            (since.isoformat(), until.isoformat()),
        ).fetchall()
        papers = load_papers(self._conn, list({row["paper_id"] for row in rows}))
        return [(row_to_listing(row), papers[row["paper_id"]]) for row in rows]

    def listing_rows_between(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        key = ("listing_rows_between", since, until)
        return list(self._kept(key, lambda: self._listing_rows(since, until)))

    def _listing_rows(self, since: date, until: date) -> list[tuple[Listing, Paper]]:
        rows = self._conn.execute(
            "SELECT l.*, p.title, p.authors, p.categories, p.published FROM listings l"
            " JOIN papers p ON p.id = l.paper_id WHERE l.day BETWEEN ? AND ?"
            " ORDER BY l.day DESC, l.position, l.paper_id",
            (since.isoformat(), until.isoformat()),
        ).fetchall()
        return [(row_to_listing(row), row_paper(row)) for row in rows]

    def listing_days(self, since: date, until: date) -> list[tuple[date, int]]:
        """Days with listings in the range and how many papers each lists, newest day first."""
        return list(self._kept(("listing_days", since, until), lambda: self._days(since, until)))

    def _days(self, since: date, until: date) -> list[tuple[date, int]]:
        rows = self._conn.execute(
            "SELECT day, count(*) FROM listings WHERE day BETWEEN ? AND ? GROUP BY day"
            " ORDER BY day DESC",
            (since.isoformat(), until.isoformat()),
        )
        return [(date.fromisoformat(day), int(count)) for day, count in rows]

    def trending_signals(self, since: date, until: date) -> list[PaperSignals]:
        """Signals of every paper listed between since and until (inclusive), newest day first.

        `listed_at` is the paper's first listing day ever at 00:00 UTC, or that listing's
        submitted_at when it is earlier still: a paper listed again is not new, and its old
        imported votes are not fresh velocity. Imported upvotes and comments are the maxima over
        all the paper's listings (as `upvotes` counts them; Hugging Face's comments are
        activity too, though `comment_counts` counts only those made here).
        """
        span = (since.isoformat(), until.isoformat())
        rows = self._conn.execute(
            "WITH firsts AS (SELECT paper_id, min(day) AS day FROM listings WHERE paper_id IN"
            " (SELECT paper_id FROM listings WHERE day BETWEEN ? AND ?) GROUP BY paper_id)"
            " SELECT f.paper_id, p.primary_category, f.day, l.submitted_at,"
            " (SELECT max(upvotes) FROM listings WHERE paper_id = f.paper_id),"
            " (SELECT max(num_comments) FROM listings WHERE paper_id = f.paper_id)"
            " + (SELECT count(*) FROM comments WHERE paper_id = f.paper_id AND deleted_at IS NULL)"
            " FROM firsts f JOIN papers p ON p.id = f.paper_id"
            " JOIN listings l ON l.day = f.day AND l.paper_id = f.paper_id"
            " ORDER BY f.day DESC, l.position, f.paper_id",
            span,
        ).fetchall()
        votes: dict[str, list[datetime]] = {}
        for paper_id, created_at in self._conn.execute(
            "SELECT paper_id, created_at FROM votes WHERE paper_id IN"
            " (SELECT paper_id FROM listings WHERE day BETWEEN ? AND ?) ORDER BY created_at",
            span,
        ):
            votes.setdefault(paper_id, []).append(when(created_at))
        return paper_signals(
            (
                (pid, category, date.fromisoformat(day), when(sent) if sent else None, up, n)
                for pid, category, day, sent, up, n in rows
            ),
            votes,
        )

    def papers_by_author(self, name: str, limit: int, offset: int = 0) -> list[Paper]:
        """Papers with an author named `name` (any case), newest published first."""
        rows = self._conn.execute(
            "SELECT p.id FROM papers p WHERE p.id IN"
            " (SELECT paper_id FROM paper_authors WHERE name = ? COLLATE NOCASE)"
            " ORDER BY p.published DESC, p.pk DESC LIMIT ? OFFSET ?",
            (name, limit, offset),
        )
        return papers_in_order(self._conn, [str(row[0]) for row in rows])

    def papers_in_category(self, category: str, limit: int, offset: int = 0) -> list[Paper]:
        """Papers in `category` (primary or cross-listed), newest published first; the
        cheaper of two plans, chosen by the category's size (counted only up to the switch)."""
        papers = self._scalar("SELECT coalesce(max(pk), 0) FROM papers")
        switch = math.isqrt((limit + offset) * papers) + 1
        members = self._scalar(
            "SELECT count(*) FROM (SELECT 1 FROM paper_categories WHERE category = ? LIMIT ?)",
            category,
            switch,
        )
        sql = _CATEGORY_WALK if members >= switch else _CATEGORY_SORT
        rows = self._conn.execute(sql, (category, limit, offset))
        return papers_in_order(self._conn, [str(row[0]) for row in rows])
