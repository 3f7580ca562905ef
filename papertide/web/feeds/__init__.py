"""RSS 2.0 and Atom 1.0: the documents (render.py) and the /feeds/... routes (routes.py)."""
