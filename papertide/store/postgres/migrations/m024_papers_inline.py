"""Papers' rows stored whole, uncompressed, up to a page: by default a row over 2 kB has its
abstract compressed (pglz, in the writing backend): a quarter of the server's CPU to COPY the
74,728-paper file (0.3 s of 1.1 to 1.5 s; an eighth of its rows), for 3% less table (143 MB
against 147 MB).
Reading such an abstract back no longer decompresses it. Rows written before stay as they are.
PostgreSQL only: SQLite never compresses.

A load into an empty store no longer drops papers' primary-category index (see
PgPapers.bulk_load): one killed by the code before left it out, and is given it here."""

SQL = """
ALTER TABLE papers SET (toast_tuple_target = 8160);
CREATE INDEX IF NOT EXISTS papers_primary_category ON papers (primary_category);
"""
