"""The web tier: server-rendered pages, the JSON API and feeds over WebServices (services.py).

Build an app with `papertide.web.app.create_app(services)`; papertide.asgi builds the one
`papertide serve` runs, its services from papertide.wiring. Nothing here holds state.
"""
