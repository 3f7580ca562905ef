"""Papers as plain JSON-able dicts: the JSON lines export format (read back by the `jsonl`
source, like any input, through sources/base.build_paper), and the text content hashes are
computed of.

Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from papertide.models import Paper


def paper_to_json(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "published": iso(paper.published),
        "updated": iso(paper.updated),
        "versions": [
            {"version": v.number, "submitted_at": iso(v.submitted_at), "size": v.size}
            for v in paper.versions
        ],
        "links": [{"kind": link.kind, "url": link.url} for link in paper.links],
    }


def sorted_json_text(paper: Paper) -> str:
    """json.dumps(paper_to_json(paper), sort_keys=True, ensure_ascii=False), written directly:
    what content hashes are computed of, for every paper ingested, at half the cost."""
    versions = ", ".join(
        f'{{"size": {_text(v.size)}, "submitted_at": {_text(iso(v.submitted_at))},'
        f' "version": {v.number}}}'
        for v in paper.versions
    )
    links = ", ".join(f'{{"kind": {_text(x.kind)}, "url": {_text(x.url)}}}' for x in paper.links)
    version = "null" if paper.version is None else paper.version
    return (
        f'{{"abstract": {_text(paper.abstract)}, "authors": {json_strings(paper.authors)},'
        f' "categories": {json_strings(paper.categories)}, "comment": {_text(paper.comment)},'
        f' "doi": {_text(paper.doi)}, "id": {_text(paper.id)},'
        f' "journal_ref": {_text(paper.journal_ref)}, "license": {_text(paper.license)},'
        f' "links": [{links}], "published": {_text(iso(paper.published))},'
        f' "title": {_text(paper.title)}, "updated": {_text(iso(paper.updated))},'
        f' "version": {version}, "versions": [{versions}]}}'
    )


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def json_strings(items: Iterable[str]) -> str:
    """The JSON array of these strings exactly as json.dumps(list(items), ensure_ascii=False)
    writes it, about four times faster (json.dumps with options builds an encoder per call;
    ingest writes three such arrays per paper)."""
    return "[" + ", ".join(map(encode_basestring, items)) + "]"


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text of a time, None for None (the stored form)."""
    return value.isoformat() if value else None
