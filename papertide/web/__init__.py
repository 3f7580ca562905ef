"""The web tier: server-rendered pages, the JSON API and feeds over the services in wiring.py.

Build an app with `papertide.web.app.create_app(services)`; nothing here holds state.
"""
