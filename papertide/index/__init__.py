"""Indexes derived from the store, rebuildable from it at any time: the query language
(query.py), lexical search (lexical.py, tantivy_lexical.py), embedders (embed.py protocol,
static.py default, contextual.py quality option), vector search (vectors.py), where they live
on disk (paths.py) and bringing them all up to date (update.py, refresh.py).

Nothing here is the system of record, and no SQL lives here: rows come through the Store.
"""
