"""Running a site for a group: suspended accounts, invite links, and the curators' audit log."""

SQL = """
ALTER TABLE users ADD COLUMN suspended_at TEXT;     -- stamp(); NULL: not suspended

CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,    -- sha256 hex of the invite token; the token is not kept
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked_at TEXT
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,            -- the curator's username then, or "cli"
    action TEXT NOT NULL,           -- "suspend", "unlist", "delete-user", ...
    target TEXT NOT NULL,           -- what it acted on: "user:alice", "comment:12", ...
    detail TEXT NOT NULL DEFAULT '' -- what undoing needs (JSON) or a note
);
CREATE INDEX audit_log_at ON audit_log(at);
"""
