"""Every stored table as the engines exchange it: columns, value kinds, key, in an order where
each table comes after those it references; and the RowStore protocol that copies raw rows
(`papertide migrate`). No SQL here.

A row crosses the boundary as a tuple of plain values, the same on every engine: int, str,
bool, datetime (aware, UTC), date, list (for "strings" and "json" columns), bytes (vectors as
little-endian float16; "blob" columns: bytes as stored) or None.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from papertide.errors import InputError

# how a column is stored: SQLite text/JSON/blob on one side, PostgreSQL types on the other
KINDS = ("int", "text", "bool", "time", "stamp", "day", "strings", "json", "vector", "blob")
Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """`kind` is one of KINDS. "time" is SQLite's datetime.isoformat() text, "stamp" its
    sqlite/connection.py stamp() text (always with microseconds); both are timestamptz on
    PostgreSQL."""

    name: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """A table, its columns (every one is copied), its key columns
    (rows are exported in key order) and the identity column whose sequence, if any, must
    follow imported values."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    serial: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def key_of(self, row: Row) -> Row:
        """The key values of a row."""
        names = self.names
        return tuple(row[names.index(name)] for name in self.key)

    def kind(self, name: str) -> str:
        return next(column.kind for column in self.columns if column.name == name)


def _table(name: str, spec: str, key: str, serial: str | None = None) -> Table:
    """A Table from "name:kind name ..." (kind text when left out) and "key columns"."""
    columns = tuple(Column(*item.split(":")) for item in spec.split())
    return Table(name, columns, tuple(key.split()), serial)


TABLES: tuple[Table, ...] = (
    _table(
        "papers",
        "pk:int id version:int title abstract authors:strings categories:strings"
        " primary_category comment journal_ref doi license published:time updated:time"
        " links:json content_hash created_at:time modified_at:time",
        "pk",
        serial="pk",
    ),
    _table("paper_versions", "paper_id version:int submitted_at:time size", "paper_id version"),
    _table("paper_authors", "paper_id position:int name", "paper_id position"),
    _table("paper_categories", "paper_id category", "paper_id category"),
    _table(
        "listings",
        "day:day paper_id position:int submitted_by submitted_at:time upvotes:int"
        " num_comments:int github_stars:int",
        "day paper_id",
    ),
    _table("quarantine", "id:int source reason raw raw_hash created_at:time", "id", serial="id"),
    _table("checkpoints", "key value saved_at:time", "key"),
    _table("seen_lines", "fingerprint:int", "fingerprint"),
    _table(
        "embeddings",
        "model paper_pk:int content_hash text_hash vector:vector seq:int",
        "model paper_pk",
    ),
    _table(
        "users",
        "id:int username email password_hash is_admin:bool created_at:stamp suspended_at:stamp",
        "id",
        serial="id",
    ),
    _table("sessions", "token_hash user_id:int created_at:stamp expires_at:stamp", "token_hash"),
    _table(
        "api_tokens",
        "token_hash user_id:int name created_at:stamp last_used_at:stamp",
        "token_hash",
    ),
    _table("feed_keys", "user_id:int version:int", "user_id"),
    _table("votes", "user_id:int paper_id created_at:stamp", "user_id paper_id"),
    _table(
        "comments",
        "id:int paper_id user_id:int body created_at:stamp deleted_at:stamp parent_id:int"
        " edited_at:stamp",
        "id",
        serial="id",
    ),
    _table("collections", "id:int user_id:int name created_at:stamp", "id", serial="id"),
    _table(
        "collection_papers",
        "id:int collection_id:int paper_id added_at:stamp",
        "id",
        serial="id",
    ),
    _table("follows", "user_id:int kind value created_at:stamp", "user_id kind value"),
    _table("write_events", "id:int actor action at:stamp", "id", serial="id"),
    _table(
        "subscriptions",
        "id:int email user_id:int cadence content created_at:stamp confirmed_at:stamp"
        " unsubscribed_at:stamp paused_at:stamp bounces:int last_error epoch:int",
        "id",
        serial="id",
    ),
    _table(
        "digest_sends",
        "id:int subscription_id:int period status retry:bool message_id paper_ids items"
        " attempts:int claimed_at:stamp finished_at:stamp error",
        "id",
        serial="id",
    ),
    _table("sent_papers", "subscription_id:int paper_id period", "subscription_id paper_id"),
    _table(
        "ratings",
        "id:int user_id:int subscription_id:int paper_id value:int source at:stamp",
        "id",
        serial="id",
    ),
    _table(
        "sync_runs",
        "id:int started_at:stamp finished_at:stamp status sources:json error",
        "id",
        serial="id",
    ),
    _table(
        "invites",
        "id:int token_hash created_by:int created_at:stamp expires_at:stamp max_uses:int"
        " uses:int revoked_at:stamp",
        "id",
        serial="id",
    ),
    _table("audit_log", "id:int at:stamp actor action target detail", "id", serial="id"),
    _table(
        "comment_reports",
        "comment_id:int user_id:int reason created_at:stamp",
        "comment_id user_id",
    ),
    _table(
        "notifications",
        "id:int user_id:int comment_id:int created_at:stamp read_at:stamp",
        "id",
        serial="id",
    ),
    _table("paper_summaries", "paper_id source tldr keywords:json content_hash", "paper_id source"),
    _table("organizations", "id:int slug name", "id", serial="id"),
    _table("paper_orgs", "paper_id org_id:int set_by", "paper_id org_id"),
    _table("paper_media", "paper_id position:int url", "paper_id position"),
    _table(
        "author_claims",
        "id:int user_id:int paper_id author_name state created_at:stamp decided_at:stamp"
        " decided_by",
        "id",
        serial="id",
    ),
    _table("claim_rules", "domain created_by created_at:stamp", "domain"),
    _table("email_confirmations", "user_id:int email confirmed_at:stamp", "user_id"),
    _table(
        "sentence_vectors",
        "model paper_pk:int content_hash labels vectors:blob",
        "model paper_pk",
    ),
    _table("reply_email_optins", "user_id:int created_at:stamp", "user_id"),
    _table(
        "reply_emails",
        "notification_id:int user_id:int message_id status attempts:int claimed_at:stamp"
        " finished_at:stamp error",
        "notification_id",
    ),
)


def table_named(name: str) -> Table:
    """The Table of this name; InputError for any other name."""
    for table in TABLES:
        if table.name == name:
            return table
    raise InputError(f"no table {name!r}; tables: {', '.join(t.name for t in TABLES)}")


def encode_key(key: Row) -> str:
    """A key as JSON text (dates as ISO text), to be kept in a checkpoint."""
    return json.dumps([value.isoformat() if isinstance(value, date) else value for value in key])


def decode_key(table: Table, text: str) -> Row:
    """The key that encode_key wrote, with its dates back."""
    values = json.loads(text)
    kinds = [table.kind(name) for name in table.key]
    return tuple(
        date.fromisoformat(value) if kind == "day" else value
        for kind, value in zip(kinds, values, strict=True)
    )


class RowStore(Protocol):
    """Raw rows in and out, table by table, for copying a store to another engine."""

    def export_rows(self, table: str, after: Row | None, limit: int) -> list[Row]:
        """Up to `limit` rows of `table` (columns as in TABLES) with a key after `after`
        (from the first when None), in key order (text compared bytewise)."""
        ...

    def import_rows(
        self,
        table: str,
        rows: Sequence[Row],
        checkpoint: tuple[str, str | None] | None = None,
    ) -> int:
        """Insert rows exported from another store, keeping their keys and ids; rows whose key
        is present already are skipped. With `checkpoint`, saves it (as write_batch does) in
        the same transaction. Returns how many rows were inserted."""
        ...

    def count_rows(self, table: str) -> int: ...
