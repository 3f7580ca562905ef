"""Paper embeddings, one row per (model, paper): vectors never mix across models."""

SQL = """
CREATE TABLE embeddings (
    model TEXT NOT NULL,
    paper_pk INTEGER NOT NULL REFERENCES papers(pk),
    content_hash TEXT NOT NULL,     -- papers.content_hash when embedded: finds stale rows fast
    text_hash TEXT NOT NULL,        -- hash of the embedded text: unchanged text is not re-embedded
    vector BLOB NOT NULL,           -- little-endian float16
    PRIMARY KEY (model, paper_pk)
) WITHOUT ROWID;
"""
