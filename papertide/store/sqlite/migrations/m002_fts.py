"""Full-text index over title, authors and abstract.

External-content FTS5 (https://sqlite.org/fts5.html#external_content_tables) keyed on the
explicit `papers.pk`, which VACUUM never renumbers. Updates and deletes were mirrored by
triggers, new rows indexed by the store in one INSERT ... SELECT per batch. Dropped again by
m009 (search reads the tantivy index); bench/fts.py installs it on a benchmark's own store.
"""

SQL = """
CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, authors, abstract,
    content='papers', content_rowid='pk',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
    VALUES ('delete', old.pk, old.title, old.authors, old.abstract);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, authors, abstract ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
    VALUES ('delete', old.pk, old.title, old.authors, old.abstract);
    INSERT INTO papers_fts(rowid, title, authors, abstract)
    VALUES (new.pk, new.title, new.authors, new.abstract);
END;
"""
