"""When each API token was last used, so its owner can spot stale or leaked ones."""

SQL = """
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMPTZ;  -- NULL: never used
"""
