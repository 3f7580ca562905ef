"""The log of `papertide sync` runs: when each started and ended, how it went, and what each
source brought in (a JSON object per source: new, updated, unchanged, quarantined, failed)."""

SQL = """
CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,       -- stamp()
    finished_at TEXT,               -- stamp(); NULL while running (or when its process died)
    status TEXT NOT NULL,           -- running | ok | failed | interrupted
    sources TEXT NOT NULL DEFAULT '{}',  -- JSON: {source: {new, updated, ..., error}}
    error TEXT                      -- why the run failed, one line per failing part
);
CREATE INDEX sync_runs_status ON sync_runs(status, started_at);
"""
