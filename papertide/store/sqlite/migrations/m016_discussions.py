"""Discussions: replies (one level: parent_id is always a top-level comment), edits with their
time, reports of comments, and notifications of replies."""

SQL = """
-- NULL: top level; SET NULL: a reply whose parent's author is deleted stands alone
ALTER TABLE comments ADD COLUMN parent_id INTEGER REFERENCES comments(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN edited_at TEXT;     -- stamp(); NULL: never edited
CREATE INDEX comments_parent ON comments(parent_id);

CREATE TABLE comment_reports (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (comment_id, user_id)   -- one report per user per comment
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,    -- who is told
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,  -- the reply
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (user_id, comment_id)
);
CREATE INDEX notifications_user ON notifications(user_id, id);
"""
