"""Numbered PostgreSQL schema migrations (mNNN_name.py, each with a SQL string), applied in order
once by PostgresStore.migrate; each is recorded under its module name. The SQLite ones live in
store/sqlite/migrations/, numbered alike."""
