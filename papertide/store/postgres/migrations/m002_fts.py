"""Full-text search column: a weighted tsvector (title A, authors B, abstract C), generated on
every write, with a GIN index. Titles and abstracts are stemmed (english), names are not.

array_to_string is only STABLE, so the document function is declared IMMUTABLE by hand (the
usual way to index an array column): its output depends on nothing but its arguments here.
Dropped again by m009 (search reads the tantivy index); bench/fts.py installs it on a
benchmark's own store.
"""

SQL = """
CREATE FUNCTION papertide_fts_document(title TEXT, authors TEXT[], abstract TEXT)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english'::regconfig, title), 'A')
    || setweight(to_tsvector('simple'::regconfig, array_to_string(authors, ' ')), 'B')
    || setweight(to_tsvector('english'::regconfig, abstract), 'C');

ALTER TABLE papers ADD COLUMN search tsvector
    GENERATED ALWAYS AS (papertide_fts_document(title, authors, abstract)) STORED;
CREATE INDEX papers_search ON papers USING gin (search);
"""
