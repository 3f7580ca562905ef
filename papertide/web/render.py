"""The pages' Jinja environment and filters: autoescape on every template, Markdown comments
rendered safely (no raw HTML, sanitised, rel="nofollow noopener ugc"); links, author and
keyword lists and snippet highlights from web/markup.py, list rows from web/rows.py, the
month calendar from web/calendar_table.py.

Paper and user text is never marked safe as given: only markup built here from escaped text is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nh3
from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from papertide import __version__
from papertide.demo import DemoDays
from papertide.rank.extras import source_label
from papertide.web import rows
from papertide.web.auth import PRESESSION_COOKIE, Viewer, is_https
from papertide.web.calendar_table import calendar_html
from papertide.web.markup import (
    author_links,
    author_url,
    category_url,
    format_day,
    format_stamp,
    highlight,
    keyword_chips,
    keyword_url,
    paper_url,
    url_with,
    web_url,
)

COMMENT_TAGS = frozenset(
    {"a", "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "hr"}
)
COMMENT_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
COMMENT_CLASSES = {"span": {"math"}}  # each formula of a comment, rendered alone by site.js
COMMENT_LINK_REL = "nofollow noopener ugc"
COMMENT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
DOCUMENT_TAGS = COMMENT_TAGS | {
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
DOCUMENT_ATTRIBUTES = COMMENT_ATTRIBUTES  # no style attributes: the CSP would refuse them
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.DOTALL)
# a $...$ formula (a $$...$$ one holds one too); a scan stops at the next $ or newline, so
# the search is linear on any page
_DOLLAR_MATH = re.compile(r"\$[^$\n]{1,2000}\$")
_BRACKETS = (("\\(", "\\)"), ("\\[", "\\]"))  # auto-render's other delimiters (site.js)
# base.html's line naming KaTeX's stylesheet and scripts (site.js loads them when needed)
_KATEX_TAG = re.compile(r"^<(?:link|script)\b[^\n]*/static/vendor/katex/[^\n]*\n", re.M)
_HEADING = re.compile(r"<(/?)h([1-6])>")
_MATH_TOKEN = "ptmath{}x"  # a plain word Markdown leaves alone
_FORMULA = '<span class="math">{}</span>'
HTML_CACHE_CONTROL = "private, no-cache"


def no_thumbnail(_paper_id: str) -> str | None:
    """Every paper is shown as a typographic card."""
    return None


def build_environment(asset_version: str) -> Environment:
    """The template environment with papertide's filters and globals (one per app);
    `asset_version` goes into every /static/ link (web/static_assets.py)."""
    env = Environment(
        loader=PackageLoader("papertide.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship in the package: no file check on every render
    )
    markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    document = MarkdownIt("commonmark", {"html": False}).enable("table")
    env.filters.update(
        markdown=lambda text: render_markdown(markdown, text),
        document=lambda text: render_document(document, text),
        web_url=web_url,
        highlight=highlight,
        author_links=author_links,
        keyword_chips=keyword_chips,
        paper_url=paper_url,
        author_url=author_url,
        category_url=category_url,
        keyword_url=keyword_url,
        day=format_day,
        stamp=format_stamp,
        source_label=source_label,  # a summary's source, in words (a row's badge: web/rows.py)
        thumbnail_url=no_thumbnail,  # create_app gives the site's thumbnail folder
    )
    env.globals.update(url_with=url_with, asset_version=asset_version, version=__version__)
    env.globals.update(  # list rows and their controls, written in Python (web/rows.py)
        row_html=rows.row_html,
        rows_html=rows.rows_html,
        vote_html=rows.vote_html,
        bookmark_html=rows.bookmark_html,
        rating_html=rows.rating_html,
        unlist_html=rows.unlist_html,
        thumbnail_html=rows.thumbnail_html,
        calendar_html=calendar_html,
    )
    env.globals["signup_offered"] = True  # create_app: False when the signup setting is closed
    return env


def render_markdown(markdown: MarkdownIt, text: str) -> Markup:
    """A comment's Markdown as sanitised HTML: no raw HTML, no images, safe links only. Its
    LaTeX is kept away from Markdown and put back escaped, each formula in its own span so
    that a broken one shows its error in place and cannot swallow the text after it."""
    html = _with_math(markdown, text, _FORMULA)
    cleaned = nh3.clean(
        html,
        tags=set(COMMENT_TAGS | COMMENT_CLASSES.keys()),
        attributes={tag: set(names) for tag, names in COMMENT_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in COMMENT_CLASSES.items()},
        link_rel=COMMENT_LINK_REL,
        url_schemes=set(COMMENT_URL_SCHEMES),
    )
    return Markup(cleaned)  # sanitised by nh3 just above


def render_document(markdown: MarkdownIt, text: str) -> Markup:
    r"""A documentation page (ours, shipped in the package) as sanitised HTML with headings
    and tables; the same sanitiser as comments, so no raw HTML gets through either. Its LaTeX
    ($...$, $$...$$) is kept away from Markdown (which would eat `\{` and `\,`) and put back
    escaped, for KaTeX in the browser."""
    html = _with_math(markdown, text)
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}>", html)  # under the page's h1
    cleaned = nh3.clean(
        html,
        tags=set(DOCUMENT_TAGS),
        attributes={tag: set(names) for tag, names in DOCUMENT_ATTRIBUTES.items()},
        url_schemes=set(COMMENT_URL_SCHEMES),
    )
    return Markup(cleaned)  # sanitised by nh3 just above


def _with_math(markdown: MarkdownIt, text: str, wrap: str = "{}") -> str:
    """Markdown rendered with its formulas held out of it and put back escaped (in `wrap`)."""
    protected, formulas = protect_math(text)
    html = str(markdown.render(protected))
    for number, formula in enumerate(formulas):
        html = html.replace(_MATH_TOKEN.format(number), wrap.format(escape(formula)), 1)
    return html


def without_unused_katex(html: str) -> str:
    """The page without KaTeX's stylesheet and scripts when its body holds no formula
    (most pages: login, account, about...), so only pages with math pay for them."""
    head, _, body = html.partition("<body")
    if has_math(body):
        return html
    return _KATEX_TAG.sub("", head) + "<body" + body if body else html


def has_math(text: str) -> bool:
    """Whether `text` holds a formula KaTeX's auto-render would typeset ($...$, $$...$$,
    \\(...\\), \\[...\\]); a linear scan, whatever the text. A page without "$" or "\\"
    (most) is told by two one-character scans: a page's text holds ▲ and ★, and Python looks
    for a longer string in such text about 40 times slower (40 us a search on the daily page)."""
    if "$" in text and _DOLLAR_MATH.search(text) is not None:
        return True
    return "\\" in text and any(
        opening in text and closing in text for opening, closing in _BRACKETS
    )


def protect_math(text: str) -> tuple[str, list[str]]:
    """`text` with each $$...$$ and $...$ formula replaced by a placeholder word, and the
    formulas in order."""
    formulas: list[str] = []

    def hold(match: re.Match[str]) -> str:
        formulas.append(match[0])
        return _MATH_TOKEN.format(len(formulas) - 1)

    return _MATH.sub(hold, text), formulas


def no_demo() -> DemoDays | None:
    return None


def no_update() -> datetime | None:
    return None


def no_unread(_user_id: int) -> int:
    return 0


@dataclass(frozen=True)
class Renderer:
    """Turns a template and its context into a response, with the viewer's cookies set.
    `demo` says, on each page, whether the store holds the bundled demo and its days;
    `updated`, when its data last changed (the footer's "updated <when>")."""

    env: Environment
    demo: Callable[[], DemoDays | None] = no_demo
    updated: Callable[[], datetime | None] = no_update
    unread: Callable[[int], int] = no_unread  # a user's unread notifications (the nav's count)

    def page(
        self,
        request: Request,
        viewer: Viewer,
        name: str,
        context: Mapping[str, Any],
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        store_down: bool = False,
    ) -> HTMLResponse:
        """`store_down`: the store just failed, so the page does not ask it for the demo note
        or the footer's "updated" time (that would wait out its timeout a second time)."""
        html = without_unused_katex(
            self.text(name, {**self.base(request, viewer, store_down), **context})
        )
        response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        response.headers["Cache-Control"] = HTML_CACHE_CONTROL
        if viewer.new_presession:
            response.set_cookie(
                PRESESSION_COOKIE,
                viewer.new_presession,
                httponly=True,
                samesite="lax",
                secure=is_https(request),
            )
        return response

    def text(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(name).render(context)

    def base(self, request: Request, viewer: Viewer, store_down: bool = False) -> dict[str, Any]:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return {
            "viewer": viewer,
            "user": viewer.user,
            "csrf": viewer.csrf,
            "here": here,
            "demo": None if store_down else self.demo(),
            "updated": None if store_down else self.updated(),
            "unread": self.unread(viewer.user.id) if viewer.user and not store_down else 0,
        }
