"""Paper embeddings, one row per (model, paper), as pgvector halfvec (float16, as SQLite keeps
them): vectors never mix across models. `seq` numbers each model's vector writes so a saved
graph can catch up with only what changed.

Needs pgvector >= 0.7 (halfvec). CREATE EXTENSION needs a superuser the first time; where the
store's role is not one, a superuser runs `CREATE EXTENSION vector` in the database beforehand.
"""

SQL = """
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE embeddings (
    model TEXT COLLATE "C" NOT NULL,
    paper_pk BIGINT NOT NULL REFERENCES papers (pk),
    content_hash TEXT NOT NULL,     -- papers.content_hash when embedded: finds stale rows fast
    text_hash TEXT NOT NULL,        -- hash of the embedded text: unchanged text is not re-embedded
    vector halfvec NOT NULL,
    seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (model, paper_pk)
);
CREATE INDEX embeddings_seq ON embeddings (model, seq, paper_pk);
"""
