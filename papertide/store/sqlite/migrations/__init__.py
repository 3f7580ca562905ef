"""Numbered SQLite schema migrations (mNNN_name.py, each with a SQL string), applied in order
once by SqliteStore.migrate; each is recorded under its module name. The PostgreSQL ones live
in store/postgres/migrations/, numbered alike."""
