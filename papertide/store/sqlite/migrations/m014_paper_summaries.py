"""Papers' one-sentence TL;DRs and keywords, one row per paper and source (issue #15)."""

SQL = """
CREATE TABLE paper_summaries (
    paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    source TEXT NOT NULL,           -- "papertide" (computed at index time), "huggingface", ...
    tldr TEXT NOT NULL,
    keywords TEXT NOT NULL,         -- JSON list, best first
    content_hash TEXT NOT NULL,     -- papers.content_hash of the text it was made from
    PRIMARY KEY (paper_id, source)
);
"""
