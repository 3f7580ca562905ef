"""Papers, their versions, authors, categories and links; daily listings; quarantine."""

SQL = """
CREATE TABLE papers (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    version INTEGER,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON list of names, in order
    categories TEXT NOT NULL,       -- JSON list, first = primary
    primary_category TEXT,
    comment TEXT,
    journal_ref TEXT,
    doi TEXT,
    license TEXT,
    published TEXT,                 -- ISO 8601 UTC
    updated TEXT,
    links TEXT NOT NULL,            -- JSON list of [kind, url]
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL
);
CREATE INDEX papers_published ON papers(published);
CREATE INDEX papers_primary_category ON papers(primary_category);

CREATE TABLE paper_versions (
    paper_id TEXT NOT NULL REFERENCES papers(id),
    version INTEGER NOT NULL,
    submitted_at TEXT,
    size TEXT,
    PRIMARY KEY (paper_id, version)
) WITHOUT ROWID;

CREATE TABLE paper_authors (
    paper_id TEXT NOT NULL REFERENCES papers(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (paper_id, position)
) WITHOUT ROWID;
CREATE INDEX paper_authors_name ON paper_authors(name COLLATE NOCASE);

CREATE TABLE paper_categories (
    paper_id TEXT NOT NULL REFERENCES papers(id),
    category TEXT NOT NULL,
    PRIMARY KEY (paper_id, category)
) WITHOUT ROWID;
CREATE INDEX paper_categories_category ON paper_categories(category);

CREATE TABLE listings (
    day TEXT NOT NULL,              -- YYYY-MM-DD
    paper_id TEXT NOT NULL REFERENCES papers(id),
    position INTEGER NOT NULL,
    submitted_by TEXT,
    submitted_at TEXT,
    upvotes INTEGER NOT NULL DEFAULT 0,
    num_comments INTEGER NOT NULL DEFAULT 0,
    github_stars INTEGER,
    PRIMARY KEY (day, paper_id)
) WITHOUT ROWID;
CREATE INDEX listings_paper ON listings(paper_id);

CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    raw_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (source, raw_hash)
);

CREATE TABLE checkpoints (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""
