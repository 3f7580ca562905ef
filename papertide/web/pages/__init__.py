"""The HTML pages: one module per area (browse, search, paper, discussions, account,
self-service, for you, digests, admin), each a router factory over the WebServices; a route
gets its reader through the typed `CurrentViewer` dependency (web/auth.py).
"""
