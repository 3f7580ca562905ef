"""Searching papers over the indexes: hybrid ranking of lexical and vector hits (service.py,
hybrid.py), filters (filters.py), match snippets (snippet.py) and a vector index that reloads
itself in a long-running process (refresh.py). The query language is index/query.py."""
