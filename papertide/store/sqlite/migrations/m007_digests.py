"""Email digests: subscriptions (double opt-in), the durable send log that makes sending
exactly-once per (subscription, period), the papers already sent, and thumbs-up/down ratings."""

SQL = """
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,  -- NULL: subscribed without account
    cadence TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly')),
    content TEXT NOT NULL CHECK (content IN ('trending', 'personal', 'both')),
    created_at TEXT NOT NULL,       -- UTC ISO 8601 with microseconds: compares as text
    confirmed_at TEXT,              -- NULL until the confirmation link is followed
    unsubscribed_at TEXT,           -- set by unsubscribing; subscribing again clears it
    paused_at TEXT,                 -- set after repeated bounces; subscribing again clears it
    bounces INTEGER NOT NULL DEFAULT 0,  -- permanent failures since the last delivery
    last_error TEXT
);
CREATE UNIQUE INDEX subscriptions_email ON subscriptions(email COLLATE NOCASE);
CREATE INDEX subscriptions_user ON subscriptions(user_id);

CREATE TABLE digest_sends (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    period TEXT NOT NULL,           -- "2026-01-05" (daily) or "2026-W02" (weekly)
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed')),
    retry INTEGER NOT NULL DEFAULT 0,    -- failed temporarily: the next run tries again
    message_id TEXT NOT NULL,       -- chosen and committed before the first attempt
    paper_ids TEXT NOT NULL,        -- JSON list of the digest's papers (sent_papers once sent)
    items TEXT NOT NULL,            -- the digest plan as the digest stage wrote it (opaque JSON):
                                    -- a re-send sends the very same digest
    attempts INTEGER NOT NULL DEFAULT 1,
    claimed_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    UNIQUE (subscription_id, period)
);
CREATE INDEX digest_sends_open ON digest_sends(status, retry) WHERE status != 'sent';

CREATE TABLE sent_papers (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL,
    period TEXT NOT NULL,
    PRIMARY KEY (subscription_id, paper_id)
) WITHOUT ROWID;

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    subscription_id INTEGER REFERENCES subscriptions(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers(id),
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),  -- +1 relevant, -1 not relevant
    source TEXT NOT NULL CHECK (source IN ('web', 'email')),
    at TEXT NOT NULL,
    CHECK (user_id IS NOT NULL OR subscription_id IS NOT NULL)
);
-- one rating per rater and paper: the user's when known, else the subscription's
CREATE UNIQUE INDEX ratings_user ON ratings(user_id, paper_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX ratings_subscription ON ratings(subscription_id, paper_id)
    WHERE user_id IS NULL;
"""
