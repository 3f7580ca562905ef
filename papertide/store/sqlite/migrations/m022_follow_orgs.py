"""Follows may name an organisation (kind 'org', by its slug): SQLite cannot change a CHECK
constraint in place, so the follows table is built again with the rows it had."""

SQL = """
CREATE TABLE follows_new (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('author', 'category', 'keyword', 'org')),
    value TEXT NOT NULL COLLATE NOCASE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, value)
) WITHOUT ROWID;
INSERT INTO follows_new (user_id, kind, value, created_at)
    SELECT user_id, kind, value, created_at FROM follows;
DROP TABLE follows;
ALTER TABLE follows_new RENAME TO follows;
CREATE INDEX follows_kind_value ON follows(kind, value);
"""
