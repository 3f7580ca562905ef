"""Security fixes of #13: a subscription's epoch (bumped when an ended subscription starts
again, so links of the earlier one stop working), feed token versions (rotating one retires
the feed links signed before), and newest-first ratings per user read without a sort."""

SQL = """
ALTER TABLE subscriptions ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
CREATE TABLE feed_keys (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    version INTEGER NOT NULL
);
CREATE INDEX ratings_user_newest ON ratings(user_id, at DESC, id DESC) WHERE user_id IS NOT NULL;
"""
