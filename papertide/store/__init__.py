"""The store: the system of record. All SQL lives in this package."""
