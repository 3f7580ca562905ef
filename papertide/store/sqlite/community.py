"""The community side of SqliteStore: votes, comments, collections, follows and the rate-limit
write log. Same contract as PostgresStore (see CommunityStore in store/base.py); accounts live
in accounts.py, listing browsing in browse.py.

SQLite runs one writer at a time (BEGIN IMMEDIATE), so a write that reads back what it wrote
(a vote's new count, the last rate-limit slot) needs no lock of its own.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from datetime import timedelta

from papertide.errors import PaperNotFoundError
from papertide.models import Collection, Comment, Follow, Paper, VoteState
from papertide.store.sqlite.connection import SqliteBase, chunks, marks, stamp, when
from papertide.store.sqlite.rows import papers_in_order

_COMMENT = "c.id, c.paper_id, c.user_id, u.username, c.body, c.created_at, c.parent_id, c.edited_at"


class SqliteCommunity(SqliteBase):
    """What users do."""

    # --- votes and comments ---

    def set_vote(self, user_id: int, paper_id: str, up: bool) -> VoteState:
        """Add or remove one user's vote (idempotent); the count is read in the same
        transaction."""
        with self._transaction() as conn:
            require_paper(conn, paper_id)
            if up:
                conn.execute(
                    "INSERT INTO votes VALUES (?,?,?) ON CONFLICT DO NOTHING",
                    (user_id, paper_id, stamp(self.clock.now())),
                )
            else:
                conn.execute(
                    "DELETE FROM votes WHERE user_id = ? AND paper_id = ?", (user_id, paper_id)
                )
            return VoteState(paper_id, self.upvotes([paper_id])[paper_id], up)

    def upvotes(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Max imported listing upvotes + local votes, for every id given (0 when none)."""
        return dict(self._kept(("upvotes", *paper_ids), lambda: self._upvotes(paper_ids)))

    def _upvotes(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return self._sum_per_paper(
            paper_ids,
            "SELECT paper_id, max(upvotes) FROM listings WHERE paper_id IN ({}) GROUP BY paper_id",
            "SELECT paper_id, count(*) FROM votes WHERE paper_id IN ({}) GROUP BY paper_id",
        )

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return self._ids_of_user(
            "SELECT paper_id FROM votes WHERE user_id = ? AND paper_id IN ({})", user_id, paper_ids
        )

    def add_comment(self, user_id: int, paper_id: str, body: str) -> Comment:
        with self._transaction() as conn:
            require_paper(conn, paper_id)
            cursor = conn.execute(
                "INSERT INTO comments (paper_id, user_id, body, created_at) VALUES (?,?,?,?)",
                (paper_id, user_id, body, stamp(self.clock.now())),
            )
            comment = self.comment_by_id(int(cursor.lastrowid or 0))
        assert comment is not None  # just inserted, in this transaction
        return comment

    def comment_by_id(self, comment_id: int) -> Comment | None:
        """The comment, None when there is none or it was deleted."""
        row = self._conn.execute(
            f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
            " WHERE c.id = ? AND c.deleted_at IS NULL",
            (comment_id,),
        ).fetchone()
        return None if row is None else _comment(row)

    def comments_for(self, paper_id: str) -> list[Comment]:
        rows = self._conn.execute(
            f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
            " WHERE c.paper_id = ? AND c.deleted_at IS NULL ORDER BY c.id",
            (paper_id,),
        )
        return [_comment(row) for row in rows]

    def delete_comment(self, comment_id: int) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE comments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                (stamp(self.clock.now()), comment_id),
            )

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Local comments not deleted, for every id (Hugging Face's are the listings')."""
        return dict(self._kept(("comment_counts", *paper_ids), lambda: self._comments(paper_ids)))

    def _comments(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return self._sum_per_paper(
            paper_ids,
            "SELECT paper_id, count(*) FROM comments WHERE paper_id IN ({})"
            " AND deleted_at IS NULL GROUP BY paper_id",
        )

    # --- collections and follows ---

    def collections_of(self, user_id: int) -> list[Collection]:
        rows = self._conn.execute(
            "SELECT c.id, c.name, count(cp.id) FROM collections c"
            " LEFT JOIN collection_papers cp ON cp.collection_id = c.id"
            " WHERE c.user_id = ? GROUP BY c.id ORDER BY c.id",
            (user_id,),
        )
        return [Collection(int(i), str(name), int(size)) for i, name, size in rows]

    def add_to_collection(self, user_id: int, name: str, paper_id: str) -> Collection:
        """Create the collection (same name in any case = same collection) and add the paper."""
        now = stamp(self.clock.now())
        with self._transaction() as conn:
            require_paper(conn, paper_id)
            conn.execute(
                "INSERT INTO collections (user_id, name, created_at) VALUES (?,?,?)"
                " ON CONFLICT DO NOTHING",
                (user_id, name, now),
            )
            collection_id = conn.execute(
                "SELECT id FROM collections WHERE user_id = ? AND name = ? COLLATE NOCASE",
                (user_id, name),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO collection_papers (collection_id, paper_id, added_at)"
                " VALUES (?,?,?) ON CONFLICT DO NOTHING",
                (collection_id, paper_id, now),
            )
            return next(c for c in self.collections_of(user_id) if c.id == collection_id)

    def remove_from_collection(self, user_id: int, collection_id: int, paper_id: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM collection_papers WHERE collection_id = ? AND paper_id = ?"
                " AND collection_id IN (SELECT id FROM collections WHERE user_id = ?)",
                (collection_id, paper_id, user_id),
            )

    def collection_papers(self, user_id: int, collection_id: int) -> list[Paper]:
        """Papers in one of the user's collections, newest added first ([] if not theirs)."""
        rows = self._conn.execute(
            "SELECT cp.paper_id FROM collection_papers cp"
            " JOIN collections c ON c.id = cp.collection_id"
            " WHERE c.id = ? AND c.user_id = ? ORDER BY cp.added_at DESC, cp.id DESC",
            (collection_id, user_id),
        )
        return papers_in_order(self._conn, [str(row[0]) for row in rows])

    def bookmarked(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return self._ids_of_user(
            "SELECT cp.paper_id FROM collection_papers cp"
            " JOIN collections c ON c.id = cp.collection_id"
            " WHERE c.user_id = ? AND cp.paper_id IN ({})",
            user_id,
            paper_ids,
        )

    def set_follow(self, user_id: int, follow: Follow, on: bool) -> None:
        with self._transaction() as conn:
            if on:
                conn.execute(
                    "INSERT INTO follows VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                    (user_id, follow.kind, follow.value, stamp(self.clock.now())),
                )
            else:
                conn.execute(
                    "DELETE FROM follows WHERE user_id = ? AND kind = ? AND value = ?",
                    (user_id, follow.kind, follow.value),
                )

    def follows_of(self, user_id: int) -> list[Follow]:
        rows = self._conn.execute(
            "SELECT kind, value FROM follows WHERE user_id = ? ORDER BY kind, value", (user_id,)
        )
        return [Follow(str(kind), str(value)) for kind, value in rows]

    # --- rate limits ---

    def record_write(self, actor: str, action: str, limit: int, window_s: int) -> int | None:
        """Record one `action` by `actor` unless it did `limit` in the last `window_s` seconds;
        then return the whole seconds until the oldest of those leaves the window.

        Events of `action` older than the window are deleted first, for every actor: each
        action has one window, so they can never count again.
        """
        now = self.clock.now()
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM write_events WHERE action = ? AND at <= ?",
                (action, stamp(now - timedelta(seconds=window_s))),
            )
            times = [
                str(row[0])
                for row in conn.execute(
                    "SELECT at FROM write_events WHERE actor = ? AND action = ? ORDER BY at",
                    (actor, action),
                )
            ]
            if len(times) < limit:
                conn.execute(
                    "INSERT INTO write_events (actor, action, at) VALUES (?,?,?)",
                    (actor, action, stamp(now)),
                )
                return None
        frees_at = when(times[len(times) - limit]) + timedelta(seconds=window_s)
        return max(1, math.ceil((frees_at - now).total_seconds()))

    # --- helpers ---

    def _sum_per_paper(self, paper_ids: Sequence[str], *queries: str) -> dict[str, int]:
        """Sum, per paper, the (paper_id, n) rows of each query (an `IN ({})` placeholder)."""
        totals = dict.fromkeys(paper_ids, 0)
        for chunk in chunks(list(totals)):
            for sql in queries:
                for paper_id, n in self._conn.execute(sql.format(marks(chunk)), chunk):
                    totals[paper_id] += int(n or 0)
        return totals

    def _ids_of_user(self, sql: str, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        """The first column of `sql` (`user_id = ?` then an `IN ({})` placeholder)."""
        found: set[str] = set()
        for chunk in chunks(list(dict.fromkeys(paper_ids))):
            rows = self._conn.execute(sql.format(marks(chunk)), (user_id, *chunk))
            found.update(str(row[0]) for row in rows)
        return found


def require_paper(conn: sqlite3.Connection, paper_id: str) -> None:
    if conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
        raise PaperNotFoundError(f"no paper {paper_id} in the store")


def _comment(row: sqlite3.Row) -> Comment:
    return Comment(
        int(row[0]),
        str(row[1]),
        int(row[2]),
        str(row[3]),
        str(row[4]),
        when(row[5]),
        None if row[6] is None else int(row[6]),
        None if row[7] is None else when(row[7]),
    )
