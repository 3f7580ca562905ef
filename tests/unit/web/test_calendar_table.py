"""The month calendar beside the daily and month lists (web/calendar_table.py)."""

from datetime import date

from papertide.web.calendar_table import calendar_html
from papertide.web.pages.periods import month_calendar

AUGUST = date(2026, 8, 1)


def cell(html: str, day: date) -> str:
    """The <td> of `day` (a day of August: July's and September's are empty cells)."""
    tds = html.split("<td ")[1:]
    return next(td for td in tds if f">{day.day}<" in td)


def test_a_listed_day_links_to_its_list_and_says_how_many_papers():
    weeks = month_calendar(AUGUST, {date(2026, 8, 3): 22, date(2026, 8, 21): 17})
    html = str(calendar_html(weeks, AUGUST, date(2026, 8, 21)))
    assert '<caption><a href="/month/2026-08">August 2026</a></caption>' in html
    assert cell(html, date(2026, 8, 3)) == (
        'class="in">\n<a href="/daily/2026-08-03" aria-label="Mon 3 Aug 2026: 22 papers">3</a>\n'
        "      </td>\n      "
    )
    selected = cell(html, date(2026, 8, 21))
    assert selected.startswith('class="in selected">\n<a href="/daily/2026-08-21"')
    assert 'aria-current="date">21</a>' in selected
    assert cell(html, date(2026, 8, 8)).startswith('class="in">\n<span>8</span>')


def test_days_outside_the_month_are_empty_cells_and_weeks_start_on_monday():
    html = str(calendar_html(month_calendar(AUGUST, {}), AUGUST))
    assert html.count("<tr>") == 1 + 6  # the head and six weeks (1 August 2026 is a Saturday)
    first_week = html.split("<tbody>")[1].split("</tr>")[0]
    assert first_week.count('<td class="out">\n      </td>') == 5
    assert "aria-current" not in html and "selected" not in html
    assert '<thead><tr><th scope="col" abbr="Mon">Mo</th><th scope="col" abbr="Tue">' in html
