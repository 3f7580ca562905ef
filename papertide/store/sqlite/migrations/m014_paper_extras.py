"""What a paper carries beyond arXiv: summaries and keywords by source, the organisations that
submitted it, and its media (images, videos) from the daily listing."""

SQL = """
CREATE TABLE paper_summaries (
    paper_id TEXT NOT NULL,
    source TEXT NOT NULL,           -- "huggingface" (imported) or "papertide" (computed)
    tldr TEXT,
    keywords TEXT NOT NULL DEFAULT '[]',    -- JSON list of strings
    content_hash TEXT NOT NULL DEFAULT '',  -- of the title+abstract it was computed from
    PRIMARY KEY (paper_id, source)
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,      -- URL name: /org/<slug>
    name TEXT NOT NULL              -- as imported or typed by a curator
);

CREATE TABLE paper_orgs (
    paper_id TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    set_by TEXT NOT NULL,           -- "huggingface" or "curator:<username>"
    PRIMARY KEY (paper_id, org_id)
);
CREATE INDEX paper_orgs_org ON paper_orgs(org_id);

CREATE TABLE paper_media (
    paper_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,              -- https only, checked at ingest
    PRIMARY KEY (paper_id, position)
);
"""
