"""A per-model change sequence on embeddings, so a saved vector graph can catch up with only
the vectors written after it (see index/update.py)."""

SQL = """
ALTER TABLE embeddings ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX embeddings_seq ON embeddings(model, seq);
"""
