"""What `papertide serve` tells a person before the server starts: where to point a browser,
who becomes the curator, and where the documentation is."""

from __future__ import annotations

# a server bound to every address is reached on the loopback one from the same machine
_REACHABLE = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def site_url(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server bound to host:port."""
    shown = _REACHABLE.get(host, host)
    if ":" in shown:  # an IPv6 literal
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def welcome_lines(host: str, port: int) -> list[str]:
    """Three lines: the URL, the curator rule, the docs."""
    if port == 0:
        first = "The system picks the port: open the address uvicorn prints below."
    else:
        first = f"Open {site_url(host, port)} in a browser (Ctrl-C stops the server)."
    return [
        first,
        "The first account to sign up becomes the curator (admin).",
        "Docs: README.md and docs/ in the source, /about (trending) and /docs (the JSON API) "
        "on the site, `papertide --help` here.",
    ]
