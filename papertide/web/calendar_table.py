"""The month calendar beside the daily and month lists, written in Python as the list rows are
(web/rows.py): as a macro, its 35 to 42 cells cost the daily page about 0.3 ms of Jinja calls
and lookups. Its text is dates and counts only; the caption goes through markup.esc."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

from papertide.web.markup import esc, format_day
from papertide.web.pages.periods import CalendarDay

_HEAD = "".join(
    f'<th scope="col" abbr="{name}">{name[:2]}</th>'
    for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
)


def calendar_html(
    weeks: Sequence[Sequence[CalendarDay]], month: date, selected: date | None = None
) -> Markup:
    """A table of `month`'s weeks: each day with papers links to its list (labelled with how
    many), `selected` marked as the current one."""
    body = "".join(
        [
            "    <tr>\n" + "".join([_cell(c, selected) for c in week]) + "    </tr>\n"
            for week in weeks
        ]
    )
    return Markup(
        '<table class="calendar">\n'
        f'  <caption><a href="/month/{month.year:04d}-{month.month:02d}">'
        f"{esc(month.strftime('%B %Y'))}</a></caption>\n"
        f"  <thead><tr>{_HEAD}</tr></thead>\n  <tbody>\n{body}  </tbody>\n</table>\n"
    )


def _cell(cell: CalendarDay, selected: date | None) -> str:
    here = cell.day == selected
    kind = ("in" if cell.in_month else "out") + (" selected" if here else "")
    inside = ""
    if cell.listed and cell.in_month:
        current = ' aria-current="date"' if here else ""
        label = f"{format_day(cell.day)}: {cell.listed:d} papers"
        inside = (
            f'<a href="/daily/{cell.day.isoformat()}" aria-label="{label}"{current}>'
            f"{cell.day.day:d}</a>\n"
        )
    elif cell.in_month:
        inside = f"<span>{cell.day.day:d}</span>"
    return f'      <td class="{kind}">\n{inside}      </td>\n'
