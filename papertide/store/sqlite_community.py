"""SQL for accounts and community tables of SqliteStore (functions over a connection): users,
sessions, API tokens, votes, comments, collections, follows, listing browsing, rate limits.

Write functions expect to run inside the caller's BEGIN IMMEDIATE transaction. Times are
stored as UTC ISO 8601 text with microseconds (`stamp`), so text order is time order.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from papertide.errors import ConflictError, PaperNotFoundError
from papertide.models import (
    ApiTokenInfo,
    Collection,
    Comment,
    Follow,
    PaperSignals,
    User,
    VoteState,
)
from papertide.store.base import API_TOKEN_ID_CHARS, API_TOKEN_USE_RESOLUTION_S

_CHUNK = 500
_USER = "u.id, u.username, u.email, u.is_admin, u.created_at"
_COMMENT = "c.id, c.paper_id, c.user_id, u.username, c.body, c.created_at"


def stamp(moment: datetime) -> str:
    """The stored form of a time: UTC, ISO 8601, always with microseconds (naive = UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


# --- users, sessions, API tokens ---


def create_user(
    conn: sqlite3.Connection, username: str, email: str | None, password_hash: str, now: datetime
) -> User:
    """Insert a user; the first user of a store is its admin. ConflictError on a taken name."""
    taken = "SELECT 1 FROM users WHERE {} = ? COLLATE NOCASE"
    if conn.execute(taken.format("username"), (username,)).fetchone():
        raise ConflictError("username taken")
    if email is not None and conn.execute(taken.format("email"), (email,)).fetchone():
        raise ConflictError("email already registered")
    is_admin = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM users)").fetchone()[0]
    cursor = conn.execute(
        "INSERT INTO users (username, email, password_hash, is_admin, created_at)"
        " VALUES (?,?,?,?,?)",
        (username, email, password_hash, is_admin, stamp(now)),
    )
    return User(int(cursor.lastrowid or 0), username, email, bool(is_admin), _when(stamp(now)))


def user_by_id(conn: sqlite3.Connection, user_id: int) -> User | None:
    row = conn.execute(f"SELECT {_USER} FROM users u WHERE u.id = ?", (user_id,)).fetchone()
    return None if row is None else _user(row)


def user_login(conn: sqlite3.Connection, name_or_email: str) -> tuple[User, str] | None:
    """The user whose username or email is `name_or_email` (any case), and its password hash."""
    row = conn.execute(
        f"SELECT {_USER}, u.password_hash FROM users u"
        " WHERE u.username = ? COLLATE NOCASE OR u.email = ? COLLATE NOCASE",
        (name_or_email, name_or_email),
    ).fetchone()
    return None if row is None else (_user(row), str(row[5]))


def set_password_hash(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def set_admin(conn: sqlite3.Connection, user_id: int, is_admin: bool) -> None:
    conn.execute("UPDATE users SET is_admin = ? WHERE id = ?", (int(is_admin), user_id))


def save_session(
    conn: sqlite3.Connection, token_hash: str, user_id: int, expires_at: datetime, now: datetime
) -> None:
    """Store a session and drop every expired one (so the table stays small)."""
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (stamp(now),))
    conn.execute(
        "INSERT OR REPLACE INTO sessions VALUES (?,?,?,?)",
        (token_hash, user_id, stamp(now), stamp(expires_at)),
    )


def session_user(conn: sqlite3.Connection, token_hash: str, now: datetime) -> User | None:
    row = conn.execute(
        f"SELECT {_USER} FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.expires_at > ?",
        (token_hash, stamp(now)),
    ).fetchone()
    return None if row is None else _user(row)


def delete_session(conn: sqlite3.Connection, token_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


def save_api_token(
    conn: sqlite3.Connection, token_hash: str, user_id: int, name: str, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?,?,?,?)",
        (token_hash, user_id, name, stamp(now)),
    )


def api_token_user(
    conn: sqlite3.Connection, token_hash: str, now: datetime
) -> tuple[User, bool] | None:
    """The token's user and whether its last_used_at is due an update (older than
    API_TOKEN_USE_RESOLUTION_S, or never set)."""
    row = conn.execute(
        f"SELECT {_USER}, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ?",
        (token_hash,),
    ).fetchone()
    if row is None:
        return None
    due = stamp(now - timedelta(seconds=API_TOKEN_USE_RESOLUTION_S))
    return _user(row), row[5] is None or str(row[5]) <= due


def touch_api_token(conn: sqlite3.Connection, token_hash: str, now: datetime) -> None:
    """Record a use of the token (last_used_at only moves forward)."""
    conn.execute(
        "UPDATE api_tokens SET last_used_at = ?"
        " WHERE token_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        (stamp(now), token_hash, stamp(now)),
    )


def api_tokens_of(conn: sqlite3.Connection, user_id: int) -> list[ApiTokenInfo]:
    rows = conn.execute(
        "SELECT substr(token_hash, 1, ?), name, created_at, last_used_at FROM api_tokens"
        " WHERE user_id = ? ORDER BY created_at, token_hash",
        (API_TOKEN_ID_CHARS, user_id),
    )
    return [
        ApiTokenInfo(str(tid), str(name), _when(created), _when(used) if used else None)
        for tid, name, created, used in rows
    ]


def revoke_api_token(conn: sqlite3.Connection, user_id: int, token_id: str) -> bool:
    """Delete the user's token whose hash starts with `token_id` (exactly API_TOKEN_ID_CHARS
    characters, so a shorter prefix matches nothing)."""
    cursor = conn.execute(
        "DELETE FROM api_tokens WHERE user_id = ? AND substr(token_hash, 1, ?) = ?",
        (user_id, API_TOKEN_ID_CHARS, token_id),
    )
    return cursor.rowcount > 0


# --- votes and comments ---


def set_vote(
    conn: sqlite3.Connection, user_id: int, paper_id: str, up: bool, now: datetime
) -> VoteState:
    """Add or remove one user's vote (idempotent) and read the new count in the same transaction."""
    require_paper(conn, paper_id)
    if up:
        conn.execute(
            "INSERT INTO votes VALUES (?,?,?) ON CONFLICT DO NOTHING",
            (user_id, paper_id, stamp(now)),
        )
    else:
        conn.execute("DELETE FROM votes WHERE user_id = ? AND paper_id = ?", (user_id, paper_id))
    return VoteState(paper_id, upvotes(conn, [paper_id])[paper_id], up)


def upvotes(conn: sqlite3.Connection, paper_ids: Sequence[str]) -> dict[str, int]:
    """Max imported listing upvotes + local votes, for every id given (0 when none)."""
    return _sum_per_paper(
        conn,
        paper_ids,
        "SELECT paper_id, max(upvotes) FROM listings WHERE paper_id IN ({}) GROUP BY paper_id",
        "SELECT paper_id, count(*) FROM votes WHERE paper_id IN ({}) GROUP BY paper_id",
    )


def voted(conn: sqlite3.Connection, user_id: int, paper_ids: Sequence[str]) -> set[str]:
    return _ids_of_user(conn, "SELECT paper_id FROM votes", user_id, paper_ids)


def add_comment(
    conn: sqlite3.Connection, user_id: int, paper_id: str, body: str, now: datetime
) -> Comment:
    require_paper(conn, paper_id)
    cursor = conn.execute(
        "INSERT INTO comments (paper_id, user_id, body, created_at) VALUES (?,?,?,?)",
        (paper_id, user_id, body, stamp(now)),
    )
    comment = comment_by_id(conn, int(cursor.lastrowid or 0))
    assert comment is not None  # just inserted, in this transaction
    return comment


def comment_by_id(conn: sqlite3.Connection, comment_id: int) -> Comment | None:
    """The comment, None when there is none or it was deleted."""
    row = conn.execute(
        f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
        " WHERE c.id = ? AND c.deleted_at IS NULL",
        (comment_id,),
    ).fetchone()
    return None if row is None else _comment(row)


def comments_for(conn: sqlite3.Connection, paper_id: str) -> list[Comment]:
    rows = conn.execute(
        f"SELECT {_COMMENT} FROM comments c JOIN users u ON u.id = c.user_id"
        " WHERE c.paper_id = ? AND c.deleted_at IS NULL ORDER BY c.id",
        (paper_id,),
    )
    return [_comment(row) for row in rows]


def delete_comment(conn: sqlite3.Connection, comment_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE comments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
        (stamp(now), comment_id),
    )


def comment_counts(conn: sqlite3.Connection, paper_ids: Sequence[str]) -> dict[str, int]:
    """Max imported listing num_comments + local comments not deleted, for every id given."""
    return _sum_per_paper(
        conn,
        paper_ids,
        "SELECT paper_id, max(num_comments) FROM listings WHERE paper_id IN ({}) GROUP BY paper_id",
        "SELECT paper_id, count(*) FROM comments WHERE paper_id IN ({}) AND deleted_at IS NULL"
        " GROUP BY paper_id",
    )


# --- collections and follows ---


def collections_of(conn: sqlite3.Connection, user_id: int) -> list[Collection]:
    rows = conn.execute(
        "SELECT c.id, c.name, count(cp.id) FROM collections c"
        " LEFT JOIN collection_papers cp ON cp.collection_id = c.id"
        " WHERE c.user_id = ? GROUP BY c.id ORDER BY c.id",
        (user_id,),
    )
    return [Collection(int(i), str(name), int(size)) for i, name, size in rows]


def add_to_collection(
    conn: sqlite3.Connection, user_id: int, name: str, paper_id: str, now: datetime
) -> Collection:
    """Create the collection (same name in any case = same collection) and add the paper."""
    require_paper(conn, paper_id)
    conn.execute(
        "INSERT INTO collections (user_id, name, created_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
        (user_id, name, stamp(now)),
    )
    collection_id = conn.execute(
        "SELECT id FROM collections WHERE user_id = ? AND name = ? COLLATE NOCASE",
        (user_id, name),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO collection_papers (collection_id, paper_id, added_at)"
        " VALUES (?,?,?) ON CONFLICT DO NOTHING",
        (collection_id, paper_id, stamp(now)),
    )
    return next(c for c in collections_of(conn, user_id) if c.id == collection_id)


def remove_from_collection(
    conn: sqlite3.Connection, user_id: int, collection_id: int, paper_id: str
) -> None:
    conn.execute(
        "DELETE FROM collection_papers WHERE collection_id = ? AND paper_id = ?"
        " AND collection_id IN (SELECT id FROM collections WHERE user_id = ?)",
        (collection_id, paper_id, user_id),
    )


def collection_paper_ids(conn: sqlite3.Connection, user_id: int, collection_id: int) -> list[str]:
    """Ids in one of the user's collections, newest added first ([] if not the user's)."""
    rows = conn.execute(
        "SELECT cp.paper_id FROM collection_papers cp"
        " JOIN collections c ON c.id = cp.collection_id"
        " WHERE c.id = ? AND c.user_id = ? ORDER BY cp.added_at DESC, cp.id DESC",
        (collection_id, user_id),
    )
    return [str(row[0]) for row in rows]


def bookmarked(conn: sqlite3.Connection, user_id: int, paper_ids: Sequence[str]) -> set[str]:
    sql = (
        "SELECT cp.paper_id FROM collection_papers cp JOIN collections c ON c.id = cp.collection_id"
    )
    return _ids_of_user(conn, sql, user_id, paper_ids, column="c.user_id", key="cp.paper_id")


def set_follow(
    conn: sqlite3.Connection, user_id: int, follow: Follow, on: bool, now: datetime
) -> None:
    if on:
        conn.execute(
            "INSERT INTO follows VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
            (user_id, follow.kind, follow.value, stamp(now)),
        )
    else:
        conn.execute(
            "DELETE FROM follows WHERE user_id = ? AND kind = ? AND value = ?",
            (user_id, follow.kind, follow.value),
        )


def follows_of(conn: sqlite3.Connection, user_id: int) -> list[Follow]:
    rows = conn.execute(
        "SELECT kind, value FROM follows WHERE user_id = ? ORDER BY kind, value", (user_id,)
    )
    return [Follow(str(kind), str(value)) for kind, value in rows]


# --- listings and browsing ---


def add_listing(conn: sqlite3.Connection, row: tuple[Any, ...]) -> bool:
    """Insert one listing row (day, paper_id, ...); False when (day, paper) was already there."""
    require_paper(conn, row[1])
    cursor = conn.execute(
        "INSERT INTO listings VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", row
    )
    return cursor.rowcount == 1


def remove_listing(conn: sqlite3.Connection, day: date, paper_id: str) -> bool:
    cursor = conn.execute(
        "DELETE FROM listings WHERE day = ? AND paper_id = ?", (day.isoformat(), paper_id)
    )
    return cursor.rowcount == 1


def listings_between(conn: sqlite3.Connection, since: date, until: date) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM listings WHERE day BETWEEN ? AND ? ORDER BY day DESC, position, paper_id",
        (since.isoformat(), until.isoformat()),
    ).fetchall()


def listing_days(conn: sqlite3.Connection, since: date, until: date) -> list[tuple[date, int]]:
    """Days with listings in the range and how many papers each lists, newest day first."""
    rows = conn.execute(
        "SELECT day, count(*) FROM listings WHERE day BETWEEN ? AND ? GROUP BY day"
        " ORDER BY day DESC",
        (since.isoformat(), until.isoformat()),
    )
    return [(date.fromisoformat(day), int(count)) for day, count in rows]


def trending_signals(conn: sqlite3.Connection, since: date, until: date) -> list[PaperSignals]:
    """Signals of every paper listed between since and until (inclusive), newest day first.

    `listed_at` is the paper's earliest listing day in the range at 00:00 UTC, or that
    listing's submitted_at when it is earlier still. Imported upvotes and comments are the
    maxima over all the paper's listings, as `upvotes` and `comment_counts` count them.
    """
    span = (since.isoformat(), until.isoformat())
    rows = conn.execute(
        "WITH firsts AS (SELECT paper_id, min(day) AS day FROM listings"
        " WHERE day BETWEEN ? AND ? GROUP BY paper_id)"
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
    for paper_id, created_at in conn.execute(
        "SELECT paper_id, created_at FROM votes WHERE paper_id IN"
        " (SELECT paper_id FROM listings WHERE day BETWEEN ? AND ?) ORDER BY created_at",
        span,
    ):
        votes.setdefault(paper_id, []).append(_when(created_at))
    return [
        PaperSignals(
            paper_id=pid,
            primary_category=category,
            listed_at=_listed_at(day, submitted_at),
            imported_upvotes=int(imported),
            vote_times=tuple(votes.get(pid, ())),
            comments=int(comments),
        )
        for pid, category, day, submitted_at, imported, comments in rows
    ]


def paper_ids_by_author(conn: sqlite3.Connection, name: str, limit: int, offset: int) -> list[str]:
    """Ids of papers with an author named `name` (any case), newest published first."""
    rows = conn.execute(
        "SELECT p.id FROM papers p WHERE p.id IN"
        " (SELECT paper_id FROM paper_authors WHERE name = ? COLLATE NOCASE)"
        " ORDER BY p.published DESC, p.pk DESC LIMIT ? OFFSET ?",
        (name, limit, offset),
    )
    return [str(row[0]) for row in rows]


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


def paper_ids_in_category(
    conn: sqlite3.Connection, category: str, limit: int, offset: int
) -> list[str]:
    """Ids of papers in `category` (primary or cross-listed), newest published first; the
    cheaper of two plans, chosen by the category's size (counted only up to the switch)."""
    papers = int(conn.execute("SELECT coalesce(max(pk), 0) FROM papers").fetchone()[0])
    switch = math.isqrt((limit + offset) * papers) + 1
    members = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM paper_categories WHERE category = ? LIMIT ?)",
        (category, switch),
    ).fetchone()[0]
    sql = _CATEGORY_WALK if members >= switch else _CATEGORY_SORT
    return [str(row[0]) for row in conn.execute(sql, (category, limit, offset))]


# --- rate limits ---


def record_write(
    conn: sqlite3.Connection, actor: str, action: str, limit: int, window_s: int, now: datetime
) -> int | None:
    """Record one `action` by `actor` unless it did `limit` in the last `window_s` seconds;
    then return the whole seconds until the oldest of those leaves the window.

    Events of `action` older than the window are deleted first, for every actor: each action
    has one window, so they can never count again.
    """
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
    frees_at = _when(times[len(times) - limit]) + timedelta(seconds=window_s)
    return max(1, math.ceil((frees_at - now).total_seconds()))


# --- helpers ---


def require_paper(conn: sqlite3.Connection, paper_id: str) -> None:
    if conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
        raise PaperNotFoundError(f"no paper {paper_id} in the store")


def _sum_per_paper(
    conn: sqlite3.Connection, paper_ids: Sequence[str], *queries: str
) -> dict[str, int]:
    """Sum, per paper, the (paper_id, n) rows of each query (an `IN ({})` placeholder)."""
    totals = dict.fromkeys(paper_ids, 0)
    for chunk in _chunks(list(totals)):
        marks = ",".join("?" * len(chunk))
        for sql in queries:
            for paper_id, n in conn.execute(sql.format(marks), chunk):
                totals[paper_id] += int(n or 0)
    return totals


def _ids_of_user(
    conn: sqlite3.Connection,
    select: str,
    user_id: int,
    paper_ids: Sequence[str],
    column: str = "user_id",
    key: str = "paper_id",
) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(paper_ids))):
        marks = ",".join("?" * len(chunk))
        sql = f"{select} WHERE {column} = ? AND {key} IN ({marks})"
        found.update(str(row[0]) for row in conn.execute(sql, (user_id, *chunk)))
    return found


def _listed_at(day: str, submitted_at: str | None) -> datetime:
    midnight = datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)
    if submitted_at is None:
        return midnight
    return min(midnight, _when(submitted_at))


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _user(row: sqlite3.Row) -> User:
    return User(int(row[0]), str(row[1]), row[2], bool(row[3]), _when(row[4]))


def _comment(row: sqlite3.Row) -> Comment:
    return Comment(int(row[0]), str(row[1]), int(row[2]), str(row[3]), str(row[4]), _when(row[5]))


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
