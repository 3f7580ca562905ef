"""Per-sentence vectors of each paper's abstract, one row per (model, paper), for faceted
similar papers (index/facets.py): rebuilt by `papertide index` when a paper's content changes."""

SQL = """
CREATE TABLE sentence_vectors (
    model TEXT COLLATE "C" NOT NULL,
    paper_pk BIGINT NOT NULL REFERENCES papers (pk),
    content_hash TEXT NOT NULL,     -- papers.content_hash when split and embedded
    labels TEXT NOT NULL,           -- one facet letter per sentence: b, m or r
    vectors BYTEA NOT NULL,         -- the sentences' little-endian float16 vectors, in order
    PRIMARY KEY (model, paper_pk)
);
"""
