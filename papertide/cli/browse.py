"""Read-only commands: stats, show, daily, export, quarantine."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import date, datetime
from typing import IO, Any

import click
from rich.console import Console
from rich.table import Table

from papertide.citation.formats import CITATION_FORMATS
from papertide.citation.keys import CitationKeys
from papertide.cli.common import db_option, json_option, open_store, print_json, progress_counter
from papertide.errors import PaperNotFoundError
from papertide.export import EXPORT_FORMATS, export_lines
from papertide.ids import canonical_paper_id
from papertide.models import Listing, Paper
from papertide.store.base import Store
from papertide.store.codec import paper_to_json
from papertide.wiring import build_listings


@click.command()
@db_option
@json_option
def stats(db: str | None, as_json: bool) -> None:
    """Counts: papers, dated versions, authors, daily listings, quarantine.

    Versions are the dated arXiv versions (v1, v2, ...) that the arXiv API, OAI-PMH and the
    metadata snapshot list; sources without a version history (the demo, JSON lines, Daily
    Papers) add none, and the line is left out while there are none."""
    with open_store(db) as store:
        numbers = store.stats()
    if as_json:
        print_json(dataclasses.asdict(numbers))
        return
    days = f"{numbers.listing_days:,} days"
    if numbers.first_day:
        days += f" ({numbers.first_day} … {numbers.last_day})"
    click.echo(f"papers        {numbers.papers:,}")
    if numbers.versions:
        click.echo(f"versions      {numbers.versions:,} dated (v1, v2, ... as arXiv lists them)")
    click.echo(f"authors       {numbers.authors:,}")
    click.echo(f"listings      {numbers.listings:,} on {days}")
    click.echo(f"quarantined   {numbers.quarantined:,}")
    if numbers.categories:
        top = ", ".join(f"{c} {n:,}" for c, n in numbers.categories)
        click.echo(f"categories    {top}")


@click.command()
@click.argument("paper_id")
@db_option
@json_option
def show(paper_id: str, db: str | None, as_json: bool) -> None:
    """One paper: PAPER_ID is an arXiv id, abs/pdf URL, DOI or generated id."""
    key = canonical_paper_id(paper_id)
    with open_store(db) as store:
        paper = store.get_paper(key)
        if paper is None:
            raise PaperNotFoundError(f"no paper {key} in the store")
        listings = store.listings_of(key)
    if as_json:
        listed = [{**dataclasses.asdict(x), "day": x.day.isoformat()} for x in listings]
        print_json({**paper_to_json(paper), "listings": listed})
        return
    click.echo("\n".join(describe_paper(paper, listings)))


def describe_paper(paper: Paper, listings: list[Listing]) -> list[str]:
    version = f"v{paper.version}" if paper.version else ""
    lines = [f"{paper.id}{version}  [{', '.join(paper.categories)}]", paper.title, ""]
    lines.append("Authors:   " + (", ".join(paper.authors) or "—"))
    dates = [f"published {_day(paper.published)}"] if paper.published else []
    dates += [f"updated {_day(paper.updated)}"] if paper.updated else []
    dates += [", ".join(f"v{v.number} {_day(v.submitted_at)}".strip() for v in paper.versions)]
    lines.append("Dates:     " + " · ".join(d for d in dates if d))
    for label, value in (("Comment", paper.comment), ("Journal", paper.journal_ref),
                         ("DOI", paper.doi), ("License", paper.license)):  # fmt: skip
        if value:
            lines.append(f"{label + ':':<11}{value}")
    for link in paper.links:
        lines.append(f"{link.kind.capitalize() + ':':<11}{link.url}")
    for listing in listings:
        lines.append(
            f"Listed:    {listing.day} #{listing.position + 1} · {listing.upvotes} upvotes"
            f" · {listing.num_comments} comments"
        )
    lines += ["", *textwrap.wrap(paper.abstract, 100)]
    return lines


@click.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Day (default: latest).")
@db_option
@json_option
def daily(day: datetime | None, db: str | None, as_json: bool) -> None:
    """The curated daily list: the given day, or the latest day on or before it."""
    with open_store(db) as store:
        shown = build_listings(store).daily(day.date() if day else None).day
        rows = store.listings_for(shown) if shown else []
    if as_json:
        print_json([_listing_json(listing, paper) for listing, paper in rows])
        return
    if shown is None:
        click.echo("No daily listings yet: ingest some with `papertide ingest hf-daily`.")
        return
    if day and shown != day.date():
        click.echo(f"No list for {day.date()}; showing the latest before it.")
    table = Table(title=f"Daily papers · {shown} · {len(rows)} papers")
    for column, justify in (("#", "right"), ("▲", "right"), ("id", "left"), ("title", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for listing, paper in rows:
        table.add_row(str(listing.position + 1), str(listing.upvotes), paper.id, paper.title)
    Console(markup=False, highlight=False).print(table)


@click.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl",
              show_default=True, help="Output format.")  # fmt: skip
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Output file (default: standard output).")  # fmt: skip
@click.option("--id", "ids", multiple=True, help="Only this paper; repeat for several.")
@db_option
def export(fmt: str, output: IO[str], ids: tuple[str, ...], db: str | None) -> None:
    """Write papers as JSON lines (re-ingestible), CSV, BibTeX, RIS or CSL-JSON."""
    with open_store(db) as store, progress_counter(f"export {fmt}", "papers") as update:
        chosen = _papers_by_id(store, ids) if ids else None
        keys = None
        if fmt in CITATION_FORMATS:  # unique keys need every paper first: read the store twice
            keys = CitationKeys(chosen if chosen is not None else store.iter_papers())
        papers = chosen if chosen is not None else store.iter_papers()
        for count, line in enumerate(export_lines(papers, fmt, keys), start=1):
            output.write(line)
            if count % 1000 == 0:
                update(count, "")


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--source", help="Only records from sources whose name starts with this.")
@click.option("--raw", is_flag=True, help="Print each record's raw text in full.")
@db_option
@json_option
def quarantine(limit: int, source: str | None, raw: bool, db: str | None, as_json: bool) -> None:
    """Records that could not be ingested, newest first, with the reason."""
    with open_store(db) as store:
        entries = store.list_quarantine(limit=limit, source=source)
    if as_json:
        print_json([dataclasses.asdict(e) for e in entries])
        return
    if not entries:
        click.echo("Quarantine is empty.")
    for entry in entries:
        click.echo(f"#{entry.id}  {entry.created_at:%Y-%m-%d %H:%M}  {entry.source}")
        click.echo(f"    reason: {entry.reason}")
        text = entry.raw if raw else textwrap.shorten(entry.raw, 160, placeholder=" …")
        click.echo(f"    raw:    {text}")


def _papers_by_id(store: Store, ids: tuple[str, ...]) -> list[Paper]:
    papers = []
    for given in ids:
        key = canonical_paper_id(given)
        paper = store.get_paper(key)
        if paper is None:
            raise PaperNotFoundError(f"no paper {key} in the store")
        papers.append(paper)
    return papers


def _listing_json(listing: Listing, paper: Paper) -> dict[str, Any]:
    return {
        "position": listing.position,
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "upvotes": listing.upvotes,
        "num_comments": listing.num_comments,
        "submitted_by": listing.submitted_by,
        "github_stars": listing.github_stars,
    }


def _day(value: date | datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""
