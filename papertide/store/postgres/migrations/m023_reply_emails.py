"""Reply emails: who asked to be emailed when someone replies to their comments, and the outbox
of those emails, a row per notification (the replies of one email share its Message-ID), so a
re-run never emails a reply twice."""

SQL = """
CREATE TABLE reply_email_optins (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL     -- only replies made since are emailed
);

CREATE TABLE reply_emails (
    notification_id BIGINT PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,  -- the recipient
    message_id TEXT NOT NULL,           -- chosen and committed before the first attempt
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 1,
    claimed_at TIMESTAMPTZ NOT NULL,    -- the rate bound counts from the last claim
    finished_at TIMESTAMPTZ,
    error TEXT
);
CREATE INDEX reply_emails_user ON reply_emails (user_id, claimed_at);
CREATE INDEX reply_emails_message ON reply_emails (message_id);
"""
