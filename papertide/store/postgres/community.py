"""The community side of PostgresStore: votes, comments, collections, follows and the
rate-limit write log. Same contract as SqliteStore (see CommunityStore in store/base.py);
accounts live in accounts.py, listing browsing in browse.py.

SQLite runs one writer at a time; here the writes whose result depends on what concurrent
writers do are serialised explicitly: votes on their paper's row lock, rate-limit counts on an
advisory lock per (actor, action).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from papertide.errors import PaperNotFoundError
from papertide.models import Collection, Comment, Follow, Paper, VoteState
from papertide.store.postgres.accounts import FOLDED
from papertide.store.postgres.connection import Connection, PgBase
from papertide.store.postgres.rows import papers_in_order

_COMMENT = "c.id, c.paper_id, c.user_id, u.username, c.body, c.created_at, c.parent_id, c.edited_at"


class PgCommunity(PgBase):
    """What users do."""

    # --- votes and comments ---

    def set_vote(self, user_id: int, paper_id: str, up: bool) -> VoteState:
        """The paper's row lock queues votes on one paper, so each count read here is the
        count right after this vote (as SQLite's single writer gives)."""
        with self._transaction() as conn:
            _require_paper(conn, paper_id, lock=True)
            if up:
                conn.execute(
                    "INSERT INTO votes VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (user_id, paper_id, self._now()),
                )
            else:
                conn.execute(
                    "DELETE FROM votes WHERE user_id = %s AND paper_id = %s", (user_id, paper_id)
                )
            return VoteState(paper_id, _upvotes(conn, [paper_id])[paper_id], up)

    def upvotes(self, paper_ids: Sequence[str]) -> dict[str, int]:
        with self._transaction() as conn:
            return _upvotes(conn, paper_ids)

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return self._ids_of_user(
            "SELECT paper_id FROM votes WHERE user_id = %s AND paper_id = ANY(%s::text[])",
            user_id,
            paper_ids,
        )

    def add_comment(self, user_id: int, paper_id: str, body: str) -> Comment:
        with self._transaction() as conn:
            _require_paper(conn, paper_id)
            row = conn.execute(
                "INSERT INTO comments (paper_id, user_id, body, created_at)"
                " VALUES (%s, %s, %s, %s) RETURNING id",
                (paper_id, user_id, body, self._now()),
            ).fetchone()
            assert row is not None
            comment = _comment_by_id(conn, int(row[0]))
        assert comment is not None  # just inserted, in this transaction
        return comment

    def comment_by_id(self, comment_id: int) -> Comment | None:
        with self._transaction() as conn:
            return _comment_by_id(conn, comment_id)

    def comments_for(self, paper_id: str) -> list[Comment]:
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
                " WHERE c.paper_id = %s AND c.deleted_at IS NULL ORDER BY c.id",
                (paper_id,),
            ).fetchall()
        return [_comment(row) for row in rows]

    def delete_comment(self, comment_id: int) -> None:
        self._write(
            "UPDATE comments SET deleted_at = %s WHERE id = %s AND deleted_at IS NULL",
            self._now(),
            comment_id,
        )

    def comment_counts(self, paper_ids: Sequence[str]) -> dict[str, int]:
        with self._transaction() as conn:
            return _sum_per_paper(
                conn,
                paper_ids,
                "SELECT paper_id, count(*) FROM comments WHERE paper_id = ANY(%s::text[])"
                " AND deleted_at IS NULL GROUP BY paper_id",
            )

    # --- collections and follows ---

    def collections_of(self, user_id: int) -> list[Collection]:
        with self._transaction() as conn:
            return _collections_of(conn, user_id)

    def add_to_collection(self, user_id: int, name: str, paper_id: str) -> Collection:
        """Create the collection (same name in any case = same collection) and add the paper."""
        now = self._now()
        with self._transaction() as conn:
            _require_paper(conn, paper_id)
            conn.execute(
                "INSERT INTO collections (user_id, name, created_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (user_id, lower(name)) DO NOTHING",
                (user_id, name, now),
            )
            found = conn.execute(
                f"SELECT id FROM collections WHERE user_id = %s AND lower(name) = {FOLDED}",
                (user_id, name),
            ).fetchone()
            assert found is not None  # inserted, or there already
            conn.execute(
                "INSERT INTO collection_papers (collection_id, paper_id, added_at)"
                " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (found[0], paper_id, now),
            )
            return next(c for c in _collections_of(conn, user_id) if c.id == found[0])

    def remove_from_collection(self, user_id: int, collection_id: int, paper_id: str) -> None:
        self._write(
            "DELETE FROM collection_papers WHERE collection_id = %s AND paper_id = %s"
            " AND collection_id IN (SELECT id FROM collections WHERE user_id = %s)",
            collection_id,
            paper_id,
            user_id,
        )

    def collection_papers(self, user_id: int, collection_id: int) -> list[Paper]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT cp.paper_id FROM collection_papers cp"
                " JOIN collections c ON c.id = cp.collection_id WHERE c.id = %s AND c.user_id = %s"
                " ORDER BY cp.added_at DESC, cp.id DESC",
                (collection_id, user_id),
            ).fetchall()
            return papers_in_order(conn, [str(row[0]) for row in rows])

    def bookmarked(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return self._ids_of_user(
            "SELECT cp.paper_id FROM collection_papers cp"
            " JOIN collections c ON c.id = cp.collection_id"
            " WHERE c.user_id = %s AND cp.paper_id = ANY(%s::text[])",
            user_id,
            paper_ids,
        )

    def set_follow(self, user_id: int, follow: Follow, on: bool) -> None:
        if on:
            self._write(
                "INSERT INTO follows VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (user_id, kind, lower(value)) DO NOTHING",
                user_id,
                follow.kind,
                follow.value,
                self._now(),
            )
        else:
            self._write(
                f"DELETE FROM follows WHERE user_id = %s AND kind = %s AND lower(value) = {FOLDED}",
                user_id,
                follow.kind,
                follow.value,
            )

    def follows_of(self, user_id: int) -> list[Follow]:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT kind, value FROM follows WHERE user_id = %s ORDER BY kind, lower(value)",
                (user_id,),
            ).fetchall()
        return [Follow(str(kind), str(value)) for kind, value in rows]

    # --- rate limits ---

    def record_write(self, actor: str, action: str, limit: int, window_s: int) -> int | None:
        """Record one `action` by `actor` unless it did `limit` in the last `window_s` seconds;
        then return the whole seconds until the oldest of those leaves the window.

        Writes of one (actor, action) queue on an advisory lock, so concurrent callers never
        both take the last slot. Events of `action` older than the window are deleted for
        every actor; rows another caller is deleting right now are skipped, not waited for.
        """
        now = self._now()
        cutoff = now - timedelta(seconds=window_s)
        with self._transaction() as conn:
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended("
                "'papertide.write:' || %s || chr(10) || %s, 0))",
                (action, actor),
            )
            conn.execute(
                "DELETE FROM write_events WHERE id IN (SELECT id FROM write_events"
                " WHERE action = %s AND at <= %s FOR UPDATE SKIP LOCKED)",
                (action, cutoff),
            )
            times: list[datetime] = [
                row[0]
                for row in conn.execute(
                    "SELECT at FROM write_events WHERE actor = %s AND action = %s AND at > %s"
                    " ORDER BY at",
                    (actor, action, cutoff),
                )
            ]
            if len(times) < limit:
                conn.execute(
                    "INSERT INTO write_events (actor, action, at) VALUES (%s, %s, %s)",
                    (actor, action, now),
                )
                return None
        frees_at = times[len(times) - limit] + timedelta(seconds=window_s)
        return max(1, math.ceil((frees_at - now).total_seconds()))

    # --- helpers ---

    def _ids_of_user(self, sql: str, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        with self._transaction() as conn:
            rows = conn.execute(sql, (user_id, list(paper_ids))).fetchall()
        return {str(row[0]) for row in rows}


def _require_paper(conn: Connection, paper_id: str, lock: bool = False) -> None:
    """PaperNotFoundError unless the paper exists; `lock` also takes its row lock (the
    weakest that queues writers: it does not block inserts that reference the paper)."""
    sql = "SELECT 1 FROM papers WHERE id = %s" + (" FOR NO KEY UPDATE" if lock else "")
    if conn.execute(sql, (paper_id,)).fetchone() is None:
        raise PaperNotFoundError(f"no paper {paper_id} in the store")


def _upvotes(conn: Connection, paper_ids: Sequence[str]) -> dict[str, int]:
    """Max imported listing upvotes + local votes, for every id given (0 when none)."""
    return _sum_per_paper(
        conn,
        paper_ids,
        "SELECT paper_id, max(upvotes) FROM listings WHERE paper_id = ANY(%s::text[])"
        " GROUP BY paper_id",
        "SELECT paper_id, count(*) FROM votes WHERE paper_id = ANY(%s::text[]) GROUP BY paper_id",
    )


def _sum_per_paper(conn: Connection, paper_ids: Sequence[str], *queries: str) -> dict[str, int]:
    """Sum, per paper, the (paper_id, n) rows of each query (one text[] parameter)."""
    totals = dict.fromkeys(paper_ids, 0)
    for sql in queries:
        for paper_id, n in conn.execute(sql, (list(totals),)):
            totals[paper_id] += int(n or 0)
    return totals


def _comment_by_id(conn: Connection, comment_id: int) -> Comment | None:
    row = conn.execute(
        f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
        " WHERE c.id = %s AND c.deleted_at IS NULL",
        (comment_id,),
    ).fetchone()
    return None if row is None else _comment(row)


def _collections_of(conn: Connection, user_id: int) -> list[Collection]:
    rows = conn.execute(
        "SELECT c.id, c.name, count(cp.id) FROM collections c"
        " LEFT JOIN collection_papers cp ON cp.collection_id = c.id"
        " WHERE c.user_id = %s GROUP BY c.id ORDER BY c.id",
        (user_id,),
    ).fetchall()
    return [Collection(int(i), str(name), int(size)) for i, name, size in rows]


def _comment(row: tuple[Any, ...]) -> Comment:
    return Comment(
        int(row[0]),
        str(row[1]),
        int(row[2]),
        str(row[3]),
        str(row[4]),
        row[5],
        None if row[6] is None else int(row[6]),
        None if row[7] is None else row[7],
    )
