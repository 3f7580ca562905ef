"""The quarantine by reason: the admin page counts records per reason and pages through one
reason's records, newest first, from this index instead of reading every raw record."""

SQL = """
CREATE INDEX quarantine_reason ON quarantine(reason, id);
"""
