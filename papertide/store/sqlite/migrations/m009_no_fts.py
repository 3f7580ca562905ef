"""The FTS5 index (m002) leaves the write path: product search reads the tantivy index beside the
store (index/), never FTS5, so every ingest paid for an index nobody read. bench/ builds its own
FTS5 baseline on its copy of a store (bench/fts.py)."""

SQL = """
DROP TRIGGER IF EXISTS papers_fts_delete;
DROP TRIGGER IF EXISTS papers_fts_update;
DROP TABLE IF EXISTS papers_fts;
"""
