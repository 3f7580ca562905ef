"""Sync benchmark (issue #14): one day of real volume synced end to end by `papertide sync`
in a child process: 1,500 real arXiv cs papers (../shared/data/arxiv-cs-listings) rendered as
OAI-PMH ListRecords pages of 1,000 records (arXiv's page size, with a resumption token) and
replayed by a loopback HTTP server, then the lexical index, the static embeddings and the HNSW
graph refreshed. arXiv's 3 s between calls is kept. Wall time and the child's own peak RSS
(wait4) are checked against the targets: <= 60 s, <= 500 MB.

Baseline, measured in the same run: `papertide ingest jsonl` + `papertide index` of the same
papers from a file (no HTTP, no XML).
Usage: python bench/sync.py [--papers 1500] [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench.report import RunResult, papertide, run_measured, write_section
from tests.replay_server import Reply, replay_server

REAL_PAPERS = "arxiv-cs-listings/papers.jsonl.gz"
PAGE_SIZE = 1000
TARGET_S, TARGET_MB = 60.0, 500.0
OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n'
    "<responseDate>2026-03-10T07:00:00Z</responseDate>\n"
    '<request verb="ListRecords" metadataPrefix="arXiv" set="cs">oai</request>\n<ListRecords>\n'
)


def read_papers(path: Path, count: int) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in itertools.islice(lines, count)]


def oai_record(paper: dict[str, Any]) -> str:
    """One record in arXiv's OAI-PMH `arXiv` format, as its ListRecords prints it."""
    authors = "".join(
        f"<author><keyname>{escape(last)}</keyname><forenames>{escape(first)}</forenames></author>"
        for first, _, last in (name.rpartition(" ") for name in paper["authors"])
    )
    comment = f"<comments>{escape(paper['comment'])}</comments>" if paper.get("comment") else ""
    return (
        f"<record><header><identifier>oai:arXiv.org:{paper['id']}</identifier>"
        f"<datestamp>{paper['first_listed']}</datestamp><setSpec>cs</setSpec></header>"
        '<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
        f"<id>{paper['id']}</id><created>{paper['first_listed']}</created>"
        f"<authors>{authors}</authors><title>{escape(paper['title'])}</title>"
        f"<categories>{' '.join(paper['categories'])}</categories>{comment}"
        f"<abstract>{escape(paper['abstract'])}</abstract></arXiv></metadata></record>\n"
    )


def oai_pages(papers: list[dict[str, Any]]) -> list[bytes]:
    """ListRecords pages of PAGE_SIZE records; each but the last ends with the token `p<n>`."""
    pages = []
    chunks = [papers[i : i + PAGE_SIZE] for i in range(0, len(papers), PAGE_SIZE)]
    for number, chunk in enumerate(chunks):
        more = number + 1 < len(chunks)
        token = f"p{number + 1}" if more else ""
        tail = (
            f'<resumptionToken cursor="{number * PAGE_SIZE}" completeListSize="{len(papers)}">'
            f"{token}</resumptionToken>\n</ListRecords>\n</OAI-PMH>\n"
        )
        pages.append((OAI_HEAD + "".join(map(oai_record, chunk)) + tail).encode())
    return pages


def checked(result: RunResult, what: str) -> RunResult:
    if result.returncode != 0:
        raise SystemExit(f"{what} failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1500)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    papers = read_papers(args.shared / REAL_PAPERS, args.papers)
    with tempfile.TemporaryDirectory() as folder, replay_server() as server:
        pages = oai_pages(papers)
        for number, page in enumerate(pages[1:], start=1):
            server.add("/oai", Reply(page), resumptionToken=f"p{number}")
        server.add("/oai", Reply(pages[0]), set="cs")
        env = {
            **os.environ,
            "PAPERTIDE_DB": f"{folder}/sync.db",
            "PAPERTIDE_OAI_URL": f"{server.url}/oai",
            "PAPERTIDE_SYNC_CATEGORIES": "cs",
            "PAPERTIDE_SYNC_SOURCES": "oai,enrich",
        }
        synced = checked(run_measured(papertide("sync", "--json"), env), "sync")
        run = json.loads(synced.stdout)
        new = run["sources"]["arxiv-oai:cs"]["new"]
        if new != len(papers):
            raise SystemExit(f"sync stored {new} new papers of {len(papers)}")
        jsonl = Path(folder) / "papers.jsonl"
        jsonl.write_text("".join(json.dumps(paper) + "\n" for paper in papers))
        base_env = {**os.environ, "PAPERTIDE_DB": f"{folder}/base.db"}
        ingested = checked(
            run_measured(papertide("ingest", "jsonl", str(jsonl)), base_env), "ingest"
        )
        indexed = checked(run_measured(papertide("index"), base_env), "index")
    baseline_s = ingested.seconds + indexed.seconds
    baseline_mb = max(ingested.peak_mb, indexed.peak_mb)
    ok = synced.seconds <= TARGET_S and synced.peak_mb <= TARGET_MB
    body = f"""
`python bench/sync.py --papers {len(papers)}`: {len(papers):,} real cs papers as {len(pages)}
OAI-PMH pages replayed on loopback, `papertide sync` in a child process (harvest with arXiv's
3 s between calls, ingest, lexical index, static embeddings, HNSW graph, run log).

| what | wall time | peak RSS |
|---|---|---|
| `papertide sync` (fresh store) | {synced.seconds:.1f} s | {synced.peak_mb:.0f} MB |
| baseline: `ingest jsonl` + `index` (no HTTP) | {baseline_s:.1f} s | {baseline_mb:.0f} MB |

Targets: <= {TARGET_S:.0f} s and <= {TARGET_MB:.0f} MB: {"met" if ok else "NOT met"}.
"""
    write_section("Sync: one day of arXiv cs", body)
    print(body)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
