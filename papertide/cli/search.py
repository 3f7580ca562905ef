"""`index`, `search` and `similar`: keep the search indexes current and query them."""

from __future__ import annotations

import textwrap
from contextlib import closing
from typing import Any

import click

from papertide.cli.common import (
    db_option,
    json_option,
    open_store,
    print_json,
    progress_counter,
    settings_for,
)  # fmt: skip
from papertide.ids import canonical_paper_id
from papertide.index.refresh import refresh_indexes
from papertide.index.summaries import Summariser
from papertide.search.hybrid import FACET_WEIGHTS
from papertide.search.service import SearchHit
from papertide.wiring import build_embedder, build_search_service


@click.command()
@click.option("--embedder", "kind", type=click.Choice(["static", "contextual"]),
              default="static", show_default=True, help="Which embeddings to update.")  # fmt: skip
@db_option
def index(kind: str, db: str | None) -> None:
    """Bring the search indexes up to date: lexical (BM25), embeddings, the static embedder's
    per-sentence vectors for faceted similar papers, each paper's word counts for similar
    papers, and each paper's TL;DR and keywords (only new or changed papers are embedded,
    counted and summarised)."""
    embedder = build_embedder(kind)
    static = embedder if kind == "static" else build_embedder("static")
    with (
        open_store(db) as store,
        progress_counter(f"embed ({embedder.name})", "papers") as update,
    ):
        done = refresh_indexes(
            settings_for(db),
            store,
            embedder,
            lambda c, _: update(c.embedded + c.unchanged, ""),
            Summariser(static),
            static,
        )
    how = "rebuilt" if done.lexical.rebuilt else "updated"
    click.echo(f"lexical index {how}: {done.lexical.added:,} papers added")
    if done.embeddings is not None:
        click.echo(f"embeddings ({embedder.name}): {done.embeddings.embedded:,} embedded, "
                   f"{done.embeddings.unchanged:,} unchanged text")  # fmt: skip
    if done.graph is not None:
        click.echo(f"vector index: {done.graph.describe()}")
    if done.sentences is not None:
        click.echo(f"sentence vectors ({static.name}): {done.sentences:,} papers")
    if done.terms is not None:
        click.echo(f"word counts: {done.terms:,} papers")
    if done.summarised is not None:
        click.echo(f"summaries: {done.summarised:,} papers given a TL;DR and keywords")


@click.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@db_option
@json_option
def search(query: str, limit: int, db: str | None, as_json: bool) -> None:
    """Search papers. QUERY is free text with author:, cat:, year:, since:, until:,
    "phrases", -negations and prefix*; an arXiv id or URL opens that paper; a pasted abstract
    finds related work."""
    with open_store(db) as store, closing(build_search_service(settings_for(db), store)) as service:
        result = service.search(query, limit)
    if as_json:
        print_json([hit_json(hit) for hit in result.hits])
        return
    for warning in result.query.warnings:
        click.echo(f"note: {warning}", err=True)
    if not result.hits:
        click.echo(f"No paper matches {result.query.describe()}")
        return
    click.echo(f"{len(result.hits)} results for {result.query.describe()}")
    print_hits(result.hits)


@click.command()
@click.argument("paper_ids", nargs=-1, required=True)
@click.option("--not", "unlike", multiple=True, help="A paper the results should be unlike.")
@click.option("--facet", type=click.Choice(list(FACET_WEIGHTS)),
              help="Similar in this facet of one paper's abstract (default: overall).")  # fmt: skip
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@db_option
@json_option
def similar(
    paper_ids: tuple[str, ...], unlike: tuple[str, ...], facet: str | None, limit: int,
    db: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Papers similar to one paper, or to a set (and unlike the --not ones); with --facet,
    similar to one paper in its results."""
    liked = [canonical_paper_id(p) for p in paper_ids]
    disliked = [canonical_paper_id(p) for p in unlike]
    if facet is not None and (len(liked) > 1 or disliked):
        raise click.UsageError("--facet takes one paper and no --not")
    with open_store(db) as store, closing(build_search_service(settings_for(db), store)) as service:
        if len(liked) == 1 and not disliked:
            hits = service.similar(liked[0], limit, facet)
        else:
            hits = service.similar_to_set(liked, disliked, limit)
    if as_json:
        print_json([hit_json(hit) for hit in hits])
        return
    print_hits(hits)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.paper.id,
        "title": hit.paper.title,
        "authors": list(hit.paper.authors),
        "score": round(hit.score, 6),
        "reasons": list(hit.reasons),
        "snippet": hit.snippet.text,
        "highlights": [list(span) for span in hit.snippet.spans],
        "parts": {name: {"rank": p.rank, "score": p.score} for name, p in hit.parts.items()},
    }


def print_hits(hits: list[SearchHit]) -> None:
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank:>3}. {hit.paper.id}  {hit.paper.title}")
        click.echo(f"     {'; '.join(hit.reasons)}")
        click.echo(textwrap.indent(textwrap.fill(hit.snippet.text, 95), "     "))
