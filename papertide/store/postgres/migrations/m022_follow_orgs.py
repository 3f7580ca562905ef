"""Follows may name an organisation (kind 'org', by its slug)."""

SQL = """
ALTER TABLE follows DROP CONSTRAINT follows_kind_check;
ALTER TABLE follows ADD CONSTRAINT follows_kind_check
    CHECK (kind IN ('author', 'category', 'keyword', 'org'));
"""
