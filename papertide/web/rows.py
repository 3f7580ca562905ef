"""A paper's row in a list, and the controls a row and the paper page share (vote, save, rate,
unlist, thumbnail), written in Python: a list renders up to 50 rows uncached, and as a Jinja
macro a row cost more in macro calls and attribute lookups than the text it writes (the daily
page's 17 rows took about 1.6 ms of its 2.4 ms of rendering). The macros of _macros.html call
these, so every page writes the same markup.

Every value from paper, user or request is escaped here (markup.esc: markupsafe's escape, as
the templates' autoescape); only numbers and this module's own constants are written as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from papertide.models import Organization, Paper, PaperSummary
from papertide.rank.extras import source_label, source_short
from papertide.search.service import SearchHit
from papertide.web.markup import (
    author_links,
    category_url,
    esc,
    format_day,
    highlight,
    keyword_chips,
    paper_url,
    path_part,
    url_with,
)

if TYPE_CHECKING:  # pages/common.py imports render.py, which imports this: no cycle at run time
    from papertide.web.pages.common import PaperRow

Thumbnails = Callable[[str], str | None]  # a paper id's thumbnail URL, None: none made
ROW_AUTHORS = 6  # authors named on a row before "and N more"
ROW_KEYWORDS = 5  # keyword chips on a row (the paper page shows them all)
ROW_CATEGORIES = 3
# Rows' parts that are the same for every viewer (a paper's title, authors, summary...), kept
# by their inputs: a list row is written again for each request, with the same text escaped
# and quoted again each time. Pure functions, so nothing to invalidate; bounded per worker:
# the parts of about 1,000 rows (20 list pages) hold about 6 MB, their keys included.
ROW_PARTS_CACHED = 1024
_RATE_TITLE = "trains your For you page"


def csrf_input(csrf: str) -> str:
    return f'<input type="hidden" name="csrf_token" value="{esc(csrf)}">'


def vote_html(paper_id: str, upvotes: int, voted: bool, back: str, csrf: str | None) -> Markup:
    """The upvote button with its count; `csrf` None: a logged-out visitor, who gets a link
    to log in (and back)."""
    if csrf is None:
        login = _login_link(back)
        return Markup(
            f'<a class="vote" href="{login}" title="Log in to upvote">\n'
            '  <span aria-hidden="true">▲</span><span class="visually-hidden">Log in to upvote;'
            f' upvotes:</span>\n  <span class="vote-count">{upvotes:d}</span>\n</a>\n'
        )
    url, pid = _paper_ids(paper_id)
    token, next_url = _form_fields(csrf, back)
    action = url + "/vote"
    words = ("Take back your upvote", "Upvoted") if voted else ("Upvote", "Upvote")
    return Markup(
        f'<form class="vote{" voted" if voted else ""}" method="post" action="{action}"\n'
        f'      hx-post="{action}" hx-target="this" hx-swap="outerHTML">\n'
        f"  {token}\n"
        f'  <input type="hidden" name="up" value="{"0" if voted else "1"}">\n'
        f'  <input type="hidden" name="next" value="{next_url}">\n'
        f'  <button type="submit" class="vote-button" id="vote-{pid}"'
        f' aria-pressed="{_pressed(voted)}"\n          title="{words[0]}">\n'
        f'    <span aria-hidden="true">▲</span><span class="visually-hidden">{words[1]},'
        " upvotes:</span>\n"
        f'    <span class="vote-count" aria-live="polite">{upvotes:d}</span>\n'
        "  </button>\n</form>\n"
    )


def bookmark_html(paper_id: str, bookmarked: bool, back: str, csrf: str) -> Markup:
    """Save (or unsave) the paper to the user's bookmarks."""
    url, pid = _paper_ids(paper_id)
    token, next_url = _form_fields(csrf, back)
    action = url + "/bookmark"
    return Markup(
        f'<form class="bookmark" method="post" action="{action}"\n'
        f'      hx-post="{action}" hx-target="this" hx-swap="outerHTML">\n'
        f"  {token}\n"
        f'  <input type="hidden" name="on" value="{"0" if bookmarked else "1"}">\n'
        f'  <input type="hidden" name="next" value="{next_url}">\n'
        f'  <button type="submit" id="bookmark-{pid}"'
        f' aria-pressed="{_pressed(bookmarked)}">\n'
        f"    {'★ Saved' if bookmarked else '☆ Save'}\n  </button>\n</form>\n"
    )


def rating_html(paper_id: str, rating: int, back: str, csrf: str) -> Markup:
    """More / less like this: the user's thumbs on the paper, for their For you page."""
    url, pid = _paper_ids(paper_id)
    token, next_url = _form_fields(csrf, back)
    action = url + "/rate"
    return Markup(
        f'<form class="rate" method="post" action="{action}"\n'
        f'      hx-post="{action}" hx-target="this" hx-swap="outerHTML">\n'
        f"  {token}\n"
        f'  <input type="hidden" name="next" value="{next_url}">\n'
        f'  <button type="submit" name="value" value="{"clear" if rating > 0 else "up"}"'
        f' id="rate-up-{pid}"\n          aria-pressed="{_pressed(rating > 0)}"'
        f' title="More like this ({_RATE_TITLE})">+ Relevant</button>\n'
        f'  <button type="submit" name="value" value="{"clear" if rating < 0 else "down"}"'
        f' id="rate-down-{pid}"\n          aria-pressed="{_pressed(rating < 0)}"'
        f' title="Less like this ({_RATE_TITLE})">\N{MINUS SIGN} Not relevant</button>\n</form>\n'
    )


def unlist_html(paper_id: str, day: date, back: str, csrf: str) -> Markup:
    """A curator's button taking the paper off the list of `day`."""
    iso = day.isoformat()
    url, pid = _paper_ids(paper_id)
    token, next_url = _form_fields(csrf, back)
    return Markup(
        f'<form class="unlist inline" method="post" action="{url}/unlist">\n'
        f"  {token}\n"
        f'  <input type="hidden" name="day" value="{iso}">\n'
        f'  <input type="hidden" name="next" value="{next_url}">\n'
        f'  <button type="submit" class="link-button" id="unlist-{pid}-{iso}"\n'
        f'          title="Curator: take this paper off the page of {format_day(day)}">Unlist'
        "</button>\n</form>\n"
    )


def thumbnail_html(paper: Paper, src: str | None, full: bool = False) -> Markup:
    """The paper's first page (`src`, made by sync), else a typographic card: never a
    made-up picture. `full`: the paper page's big one."""
    author = paper.authors[0] if paper.authors else ""
    title = paper.title if full and not src else ""
    return Markup(_thumbnail(src, full, title, author, paper.primary_category or "paper"))


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _thumbnail(src: str | None, full: bool, title: str, author: str, category: str) -> str:
    if src:
        alt, size = ("First page of the paper", (240, 340)) if full else ("", (80, 113))
        return (
            f'<img class="thumb{" thumb-full" if full else ""}" src="{esc(src)}" alt="{alt}"'
            f' width="{size[0]}" height="{size[1]}" loading="lazy" decoding="async">\n'
        )
    heading = f'<span class="thumb-title tex">{esc(title)}</span>' if full else ""
    return (
        f'<div class="thumb thumb-card{" thumb-full" if full else ""}" aria-hidden="true">'
        f'<span class="thumb-cat">{esc(category)}</span>{heading}'
        f'<span class="thumb-author">{esc(author)}</span></div>'
    )


class RowWriter:
    """Writes the rows of one page for its viewer: `csrf` None for a logged-out visitor;
    `curator`: may unlist; `back`: the page the row's forms return to."""

    __slots__ = ("back", "csrf", "curator", "thumbnails")

    def __init__(self, back: str, csrf: str | None, curator: bool, thumbnails: Thumbnails) -> None:
        self.back = back
        self.csrf = csrf
        self.curator = curator
        self.thumbnails = thumbnails

    @classmethod
    def of(cls, context: Context, back: str) -> RowWriter:
        """The writer for a template's context (its user, token and viewer)."""
        signed_in = bool(context.get("user"))
        viewer = context.get("viewer")
        return cls(
            back,
            str(context["csrf"]) if signed_in else None,
            signed_in and bool(viewer and viewer.is_admin),
            context.environment.filters["thumbnail_url"],
        )

    def item(
        self,
        row: PaperRow,
        hit: SearchHit | None = None,
        show_day: bool = False,
        curate: bool = False,
        level: int = 2,
    ) -> str:
        """One <article>: vote, thumbnail, title, authors, TL;DR, organisations, submitter,
        keyword chips, categories and counts, a search hit's snippet, the user's controls."""
        paper = row.paper
        pid, url, title, authors = _paper_text(paper.id, paper.title, paper.authors)
        new = '<span class="badge badge-new">new</span>' if row.is_new else ""
        thumbnail = thumbnail_html(paper, self.thumbnails(paper.id))
        summary = _summary_text(row.summary, row.orgs, row.submitted_by)
        return (
            f'<article class="paper-item" id="paper-{pid}">\n'
            '  <div class="paper-side">'
            f"{vote_html(paper.id, row.upvotes, row.voted, self.back, self.csrf)}</div>\n"
            f'  <div class="paper-body">\n    {thumbnail}\n'
            f'    <h{level:d} class="paper-title"><a class="tex" href="{url}">'
            f"{title}</a>\n{new}</h{level:d}>\n"
            f'    <p class="authors">\n{authors}</p>\n\n'
            f"    {summary}\n"
            f'    <p class="meta">\n{self._meta(row, url, show_day)}    </p>\n'
            f"{self._hit(hit)}  </div>\n"
            f'  <div class="paper-actions">{self._actions(row, curate)}</div>\n</article>\n'
        )

    def items(
        self, rows: Sequence[PaperRow], show_day: bool, empty: str, curate: bool, level: int
    ) -> str:
        """The rows as a numbered list, or the `empty` note."""
        if not rows:
            return f'<p class="empty">{esc(empty)}</p>\n'
        lis = "".join([f"<li>{self.item(r, None, show_day, curate, level)}</li>" for r in rows])
        return f'<ol class="paper-list">\n{lis}</ol>\n'

    @staticmethod
    def _meta(row: PaperRow, url: str, show_day: bool) -> str:
        """Categories, comments here and on Hugging Face, GitHub stars, the day, the score."""
        paper = row.paper
        plural = "" if row.comments == 1 else "s"
        html = (
            f"{_category_links(paper.categories[:ROW_CATEGORIES])}"
            f'      <a href="{url}#comments">{row.comments:d} comment{plural}</a>\n'
        )
        if row.hf_comments:
            html += (
                f' · <a href="https://huggingface.co/papers/{esc(paper.id)}" rel="noopener">'
                f"{row.hf_comments:d} on Hugging Face</a>"
            )
        if row.stars is not None:
            html += f' · <span title="GitHub stars">★ {row.stars:d}</span>'
        if show_day and row.day:
            html += f' · <a href="/daily/{row.day.isoformat()}">{format_day(row.day)}</a>'
        if row.score:
            html += f" · trending {row.score.score:.2f}"
        return html

    @staticmethod
    def _hit(hit: SearchHit | None) -> str:
        """A search hit's snippet, its words marked, and why it matched."""
        if hit is None:
            return ""
        html = f'    <p class="snippet tex">{highlight(hit.snippet)}</p>\n'
        if hit.reasons:
            return html + f'<p class="reasons">Why: {esc("; ".join(hit.reasons))}</p>'
        return html

    def _actions(self, row: PaperRow, curate: bool) -> str:
        """A user's save and rate buttons, and a curator's unlist on a day's list."""
        if self.csrf is None:
            return ""
        paper_id, back, csrf = row.paper.id, self.back, self.csrf
        # joined in f-strings, not by Markup's +, which escapes (a no-op here) and copies
        html = f"{bookmark_html(paper_id, row.bookmarked, back, csrf)}"
        html = f"{html}{rating_html(paper_id, row.rating, back, csrf)}"
        if curate and row.day and self.curator:
            return f"{html}{unlist_html(paper_id, row.day, back, csrf)}"
        return html


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _paper_ids(paper_id: str) -> tuple[str, str]:
    """A paper's URL and id, escaped for the forms of its row."""
    return esc(paper_url(paper_id)), esc(paper_id)


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _form_fields(csrf: str, back: str) -> tuple[str, str]:
    """A form's CSRF token field and its `next` value, escaped: the same in every row."""
    return csrf_input(csrf), esc(back)


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _login_link(back: str) -> str:
    """The log-in link of a logged-out visitor's vote button, back to `back` after."""
    return esc(url_with("/login", {"next": back}))


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _paper_text(paper_id: str, title: str, authors: tuple[str, ...]) -> tuple[str, str, str, str]:
    """A row's escaped paper id, its URL, title and its authors' links."""
    url, pid = _paper_ids(paper_id)
    return pid, url, esc(title), author_links(authors, ROW_AUTHORS)


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _summary_text(
    summary: PaperSummary | None, orgs: tuple[Organization, ...], submitted_by: str | None
) -> str:
    """The TL;DR with its source, then organisations, submitter and keyword chips."""
    html = ""
    if summary and summary.tldr:
        source = summary.source
        html = (
            f'<p class="tldr"><span class="tldr-src" title="{esc(source_label(source))}">'
            f"{esc(source_short(source))}</span>"
            f' <span class="tex">{esc(summary.tldr)}</span></p>'
        )
    keywords = summary.keywords if summary else ()
    if not (keywords or orgs or submitted_by):
        return html
    parts = []
    if orgs:
        links = ", ".join(
            [
                f'<a class="org" href="/org/{esc(path_part(org.slug))}">{esc(org.name)}</a>'
                for org in orgs
            ]
        )
        hidden = '<span class="visually-hidden">Organisation: </span>'
        parts.append(f'<span class="orgs">{hidden}{links}</span>')
    if submitted_by:
        parts.append(f'<span class="submitter">submitted by {esc(submitted_by)}</span>')
    if keywords:
        chips = keyword_chips(keywords[:ROW_KEYWORDS])
        parts.append(
            '<span class="chips keywords"><span class="visually-hidden">Keywords: </span>'
            f"{chips}</span>"
        )
    return f'{html}<p class="row-extras">\n{"".join(parts)}</p>\n'


@lru_cache(maxsize=ROW_PARTS_CACHED)
def _category_links(categories: tuple[str, ...]) -> str:
    return "".join(
        [f'<a class="cat" href="{esc(category_url(c))}">{esc(c)}</a> ' for c in categories]
    )


def _pressed(on: bool) -> str:
    return "true" if on else "false"


@pass_context
def row_html(context: Context, row: PaperRow, back: str, *args: Any) -> Markup:
    """Jinja global: one row (paper_item in _macros.html; args: hit, show_day, curate, level)."""
    return Markup(RowWriter.of(context, back).item(row, *args))  # escaped in RowWriter


@pass_context
def rows_html(
    context: Context,
    rows: Sequence[PaperRow],
    back: str,
    show_day: bool,
    empty: str,
    curate: bool,
    level: int,
) -> Markup:
    """Jinja global: a list's rows (paper_list in _macros.html)."""
    writer = RowWriter.of(context, back)
    return Markup(writer.items(rows, show_day, empty, curate, level))  # escaped in RowWriter
