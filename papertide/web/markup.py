"""Escaped markup and URLs for the pages: links to papers, authors, categories and keyword
searches quoted as urllib would (in one regex scan), author and keyword lists, search
highlights, dates. Shared by the Jinja filters (render.py) and the list rows (rows.py).

Paper and user text is never marked safe as given: only markup built here from escaped text is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from markupsafe import Markup, escape

from papertide.search.snippet import Snippet

WEB_SCHEMES = ("http://", "https://")
_SPECIAL = re.compile("[&<>\"']")  # what markupsafe's escape replaces
# What urllib's quote() escapes (all but ASCII letters, digits, _.-~ and the safe characters),
# found by one regex scan: the common id or name passes through untouched instead of going
# through quote() byte by byte (each list row builds a dozen URLs).
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9_.~/-]+")  # quote(text, safe="/")
_UNSAFE_BUT_SPACE = re.compile(r"[^A-Za-z0-9_.~ -]+")  # spaces: replaced after, in one step
# format_day's names, as strftime's %a and %b write them in the C locale the server runs in
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def esc(text: str) -> str:
    """`text` escaped as markupsafe's escape (the templates' autoescape) does, as a plain str
    for markup built with f-strings: most titles, names and ids hold none of & < > " ' and
    pass through as they are, with no Markup made and formatted for each."""
    return str(escape(text)) if _SPECIAL.search(text) else text


def web_url(url: str) -> str:
    """`url` when it is an http(s) URL, else "#" (a stored link is never javascript: etc.)."""
    return url if url.lower().startswith(WEB_SCHEMES) else "#"


def highlight(snippet: Snippet) -> Markup:
    """A search snippet with its matched words in <mark>, every piece escaped."""
    parts: list[str] = ["… " if snippet.clipped_start else ""]
    last = 0
    for start, end in snippet.spans:
        if start < last:
            continue
        parts.append(esc(snippet.text[last:start]))
        parts.append(f"<mark>{esc(snippet.text[start:end])}</mark>")
        last = end
    parts.append(esc(snippet.text[last:]))
    parts.append(" …" if snippet.clipped_end else "")
    return Markup("".join(parts))  # every piece escaped above


def author_links(names: Sequence[str], limit: int) -> Markup:
    """A list row's first `limit` authors as links to their pages, then how many more there
    are. Written here rather than as a Jinja loop: every list renders it for each of its rows."""
    links = ", ".join(
        [f'<a href="{esc(author_url(name))}">{esc(name)}</a>' for name in names[:limit]]
    )
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return Markup(links + more)  # every piece escaped above


def keyword_chips(keywords: Sequence[str]) -> Markup:
    """Keywords as chips, each a link to a search for it, each followed by a space."""
    chips = [f'<a href="{esc(keyword_url(k))}" class="keyword">{esc(k)}</a> ' for k in keywords]
    return Markup("".join(chips))  # every piece escaped


def paper_url(paper_id: str) -> str:
    """/papers/<id>; old-style ids keep their slash (hep-th/9901001)."""
    return "/papers/" + path_part(paper_id)


def path_part(text: str) -> str:
    """urllib's quote(text) (safe "/"), as Jinja's urlencode filter quotes a string."""
    return _UNSAFE_IN_PATH.sub(_percent, text)


def author_url(name: str) -> str:
    return "/authors/" + path_quote(name)


def keyword_url(keyword: str) -> str:
    """A search for the keyword as one quoted phrase (a quote inside it becomes a space)."""
    phrase = " ".join(keyword.replace('"', " ").split())
    return f"/search?q=%22{form_quote(phrase)}%22"


def category_url(category: str) -> str:
    return "/categories/" + path_quote(category)


def url_with(path: str, params: Mapping[str, object]) -> str:
    """`path` with the query parameters that are set (None and "" left out), encoded as
    urlencode() does."""
    kept = [
        f"{form_quote(key)}={form_quote(str(value))}"
        for key, value in params.items()
        if value not in (None, "")
    ]
    return f"{path}?{'&'.join(kept)}" if kept else path


def path_quote(text: str) -> str:
    """urllib's quote(text, safe=""): a path segment (the spaces of a name in one step)."""
    return _UNSAFE_BUT_SPACE.sub(_percent, text).replace(" ", "%20")


def form_quote(text: str) -> str:
    """urllib's quote_plus(text): a query-string value, spaces as "+"."""
    return _UNSAFE_BUT_SPACE.sub(_percent, text).replace(" ", "+")


def _percent(match: re.Match[str]) -> str:
    """A run of characters as %XX escapes of their UTF-8 bytes."""
    return "".join(f"%{byte:02X}" for byte in match[0].encode())


def format_day(value: date | datetime | None) -> str:
    """Mon 5 Jan 2026."""
    if value is None:
        return ""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_stamp(value: datetime | None) -> str:
    """2026-01-05 14:03 UTC."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""
