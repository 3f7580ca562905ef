"""Fingerprints of raw input lines already stored, so re-reading a file skips them unparsed."""

SQL = """
CREATE TABLE seen_lines (
    fingerprint BIGINT PRIMARY KEY  -- 64-bit digest of (source kind, parser version, line)
);
"""
