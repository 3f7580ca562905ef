"""Sources: read papers from the outside world. Parsing is pure (bytes -> records), fetching thin.

No module here imports the store: sources yield ParseResults and the ingest service stores them.
"""
