"""Claimed authorship: a user says "I am this author" of a paper; a curator approves or rejects,
or a domain rule approves at once for a confirmed email. And which email each user confirmed
(by following a link sent to it), which is what a rule trusts."""

SQL = """
CREATE TABLE author_claims (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers(id),
    author_name TEXT NOT NULL,      -- exactly as the paper lists it
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    created_at TEXT NOT NULL,
    decided_at TEXT,                -- stamp(); NULL while pending
    decided_by TEXT,                -- curator's username, "rule:<domain>" or "cli"
    UNIQUE (user_id, paper_id)      -- one author name per user per paper
);
-- an author slot is approved for one user at most
CREATE UNIQUE INDEX author_claims_slot ON author_claims(paper_id, author_name)
    WHERE state = 'approved';
CREATE INDEX author_claims_name ON author_claims(author_name, state);
CREATE INDEX author_claims_state ON author_claims(state, id);

CREATE TABLE claim_rules (
    domain TEXT PRIMARY KEY,        -- lower case, no "@": "cs.example.edu"
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE email_confirmations (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,            -- confirmed while it is still the user's email
    confirmed_at TEXT NOT NULL
);
"""
