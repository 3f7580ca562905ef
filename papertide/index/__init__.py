"""Indexes derived from the store, rebuildable from it at any time: lexical search, embedders
(embed.py protocol, static.py default, contextual.py quality option) and vector search.

Nothing here is the system of record, and no SQL lives here: rows come through the Store.
"""
