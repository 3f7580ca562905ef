"""Accounts and community: users, sessions, API tokens, votes, comments, collections, follows,
and the write log that rate limits read (shared by every worker process)."""

SQL = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,    -- argon2 encoded hash (parameters included)
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
-- unique case-insensitively (ASCII folding: usernames are ASCII by rule)
CREATE UNIQUE INDEX users_username ON users(username COLLATE NOCASE);
CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,    -- sha256 hex of the cookie token; the raw token is not kept
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL        -- UTC ISO 8601 with microseconds: compares as text
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,    -- sha256 hex of the "pt_..." token
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE votes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, paper_id)
) WITHOUT ROWID;
CREATE INDEX votes_paper ON votes(paper_id, created_at);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers(id),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,             -- Markdown source as written
    created_at TEXT NOT NULL,
    deleted_at TEXT                 -- soft delete: set, never removed
);
CREATE INDEX comments_paper ON comments(paper_id, id);

CREATE TABLE collections (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX collections_user_name ON collections(user_id, name COLLATE NOCASE);

CREATE TABLE collection_papers (
    id INTEGER PRIMARY KEY,         -- insertion order breaks ties of added_at
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers(id),
    added_at TEXT NOT NULL,
    UNIQUE (collection_id, paper_id)
);
CREATE INDEX collection_papers_paper ON collection_papers(paper_id);

CREATE TABLE follows (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('author', 'category', 'keyword')),
    value TEXT NOT NULL COLLATE NOCASE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, value)
) WITHOUT ROWID;
CREATE INDEX follows_kind_value ON follows(kind, value);

CREATE TABLE write_events (
    id INTEGER PRIMARY KEY,
    actor TEXT NOT NULL,            -- "user:12", "ip:203.0.113.7"
    action TEXT NOT NULL,           -- "vote", "comment", "signup", ...
    at TEXT NOT NULL                -- UTC ISO 8601 with microseconds
);
CREATE INDEX write_events_actor ON write_events(actor, action, at);
CREATE INDEX write_events_action ON write_events(action, at);
"""
