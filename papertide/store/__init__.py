"""The store: the system of record. All SQL lives in this package.

`base.py` (with `digest_base.py`) is the engine-neutral protocol and its value types; `merge.py`
decides, without SQL, how an incoming record updates a stored paper; `sqlite/` and `postgres/`
implement the protocol with the same file names on both sides (papers, write, browse, community,
accounts, digest, vectors, transfer, rows, connection, store, migrations/), each method holding
its SQL.
"""
