"""The weighted tsvector column and its GIN index (m002) leave the write path: product search
reads the tantivy index beside the store (index/), never the tsvector, so every write paid for
an index nobody read. bench/ builds its own tsvector baseline on its copy (bench/fts.py)."""

SQL = """
ALTER TABLE papers DROP COLUMN IF EXISTS search;
DROP FUNCTION IF EXISTS papertide_fts_document(TEXT, TEXT[], TEXT);
"""
