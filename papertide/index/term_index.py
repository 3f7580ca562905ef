"""Every paper's word counts as numbers (TermCounts), in one file `papertide index` keeps beside
the sentence file, memory-mapped by every `serve` worker (issue #16).

`similar` scores its dense neighbours by the centered tf-idf cosine of their words
(search/centered.py); tokenizing the 100 neighbours' texts for it cost about 12 ms a query.
With this file a query gathers the neighbours' rows as numbers instead; a neighbour not in the
file (ingested after the last `papertide index`) is tokenized, so the scores never depend on
the file, only the time.

The file is one flat run of (word_hash uint64, count uint32) entries, paper after paper, then
(index/mapped_file.py's layout) the paper ids sorted, each sorted id's slot, each slot's first
entry (and the end), and the store's watermark when it was written (paper count, newest
modified_at). `papertide index` re-reads only the papers modified since that watermark, keeps
the other rows as they are, and rewrites the file when any paper changed (or was removed:
then it reads every paper again, like the lexical index).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from papertide.errors import InputError
from papertide.index.embed import paper_text
from papertide.index.lexical import PaperFeed
from papertide.index.mapped_file import (
    FollowedFile,
    mapped,
    view_mapped_arrays,
    write_mapped_file,
)
from papertide.index.words import TermCounts, counted_terms, words
from papertide.models import Paper

MAGIC = b"PTTERM01"
ENTRY = np.dtype([("word", "<u8"), ("count", "<u4")])  # packed: 12 bytes an entry
COLUMNS = 4  # arrays after the entries: ids, slots, starts, watermark
TermRow = tuple[str, bytes]  # (paper id, its ENTRY records)
Watermark = tuple[int, str | None]  # the store's paper count and newest modified_at


@dataclass(frozen=True)
class TermIndex:
    """Word counts of many papers: `entries` (ENTRY records) paper by paper; `starts[s]` is
    the first entry of the paper in slot s (and `starts[-1]` the entry count); `ids` the paper
    ids sorted, `slots` the slot of each; `watermark` the store's (papers, modified_at) the
    rows were read at."""

    ids: npt.NDArray[np.str_]
    slots: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    entries: npt.NDArray[np.void]
    watermark: Watermark | None = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def current(self) -> TermIndex:
        """Itself (a TermSource whose index never changes)."""
        return self

    def counts(self, paper_ids: Sequence[str]) -> dict[str, TermCounts]:
        """The word counts of the papers held here, by id, in the order of `paper_ids`."""
        if not len(paper_ids) or not len(self):
            return {}
        wanted = np.asarray(paper_ids, dtype=np.str_)
        places = np.minimum(np.searchsorted(self.ids, wanted), len(self) - 1)
        held = np.flatnonzero(self.ids[places] == wanted)
        slots = self.slots[places[held]]
        first = self.starts[slots]
        sizes = self.starts[slots + 1] - first
        # every paper's entries in one gather: first[p] .. first[p] + sizes[p] - 1, in turn
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        rows = np.repeat(first - bounds[:-1], sizes) + np.arange(bounds[-1])
        entries = np.take(self.entries, rows)  # 6x faster than indexing records
        words, counts = entries["word"], entries["count"]
        ends = bounds.tolist()
        return {
            paper_ids[i]: TermCounts(words[a:b], counts[a:b])
            for i, a, b in zip(held.tolist(), ends[:-1], ends[1:], strict=True)
        }

    def rows(self) -> Iterator[TermRow]:
        """(id, ENTRY bytes) of every paper, in slot order (what a rewrite keeps)."""
        order = np.argsort(self.slots)
        for slot, i in zip(self.slots[order], order, strict=True):
            first, end = int(self.starts[slot]), int(self.starts[slot + 1])
            yield str(self.ids[i]), self.entries[first:end].tobytes()


class TermSource(Protocol):
    """What the search service reads word counts from: an index, or the file `papertide
    index` may replace while the service runs."""

    def current(self) -> TermIndex: ...


def encode(terms: TermCounts) -> bytes:
    """A paper's ENTRY records."""
    entries = np.empty(len(terms.words), ENTRY)
    entries["word"], entries["count"] = terms.words, terms.counts
    return entries.tobytes()


def paper_rows(papers: Iterable[Paper], seen: dict[int, str]) -> Iterator[TermRow]:
    """(id, ENTRY bytes) of each paper's title and abstract, as `similar` counts them; `seen`
    (word hash -> word, filled as it goes) finds two words of one hash, logged."""
    for paper in papers:
        counted = Counter(words(paper_text(paper.title, paper.abstract)))
        terms = counted_terms(counted)
        for word, hashed in zip(counted, terms.words.tolist(), strict=True):
            other = seen.setdefault(hashed, word)
            if other != word:
                logging.getLogger("papertide.index").warning(
                    "the words %r and %r share one hash: the centered tf-idf cosine of"
                    " `similar` counts them as one word",
                    other,
                    word,
                )
        yield paper.id, encode(terms)


class _Layout:
    """The small arrays of an index, gathered paper by paper."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.sizes: list[int] = []

    def add(self, paper_id: str, entries: bytes) -> None:
        self.ids.append(paper_id)
        self.sizes.append(len(entries) // ENTRY.itemsize)

    def arrays(self, watermark: Watermark | None) -> tuple[npt.NDArray[Any], ...]:
        """Sorted ids, slots, starts, watermark (empty when none): the file's arrays in order."""
        ids = np.asarray(self.ids, dtype=np.str_)
        order = np.argsort(ids, kind="stable").astype(np.int64)
        if (ids[order][1:] == ids[order][:-1]).any():
            raise ValueError("a paper id appears twice among the word counts")
        starts = np.concatenate([[0], np.cumsum(self.sizes, dtype=np.int64)]).astype(np.int64)
        mark = [] if watermark is None else [str(watermark[0]), watermark[1] or ""]
        return ids[order], order, starts, np.asarray(mark, dtype=np.str_)


def build_term_index(rows: Iterable[TermRow]) -> TermIndex:
    """An index in memory (an in-memory store)."""
    layout = _Layout()
    blobs = []
    for paper_id, entries in rows:
        layout.add(paper_id, entries)
        blobs.append(entries)
    ids, slots, starts, _ = layout.arrays(None)
    return TermIndex(ids, slots, starts, np.frombuffer(b"".join(blobs), dtype=ENTRY))


def write_term_file(path: Path, rows: Iterable[TermRow], watermark: Watermark) -> int:
    """Write the index file of `rows` (streamed) atomically; how many papers it holds."""
    layout = _Layout()

    def entries() -> Iterator[bytes]:
        for paper_id, blob in rows:
            layout.add(paper_id, blob)
            yield blob

    write_mapped_file(path, MAGIC, entries(), lambda: layout.arrays(watermark))
    return len(layout.ids)


def view_term_file(path: Path) -> TermIndex:
    """The index in a file written by write_term_file, memory-mapped read-only."""
    # plain arrays over the mapped pages: np.memmap's own indexing costs 0.1 ms a gather
    arrays = view_mapped_arrays(path, MAGIC, COLUMNS, "word count")
    ids, slots, starts, mark = (np.asarray(array) for array in arrays)
    entries = np.asarray(mapped(path, ENTRY, 0, (int(starts[-1]),)))
    watermark = (int(mark[0]), str(mark[1]) or None) if len(mark) else None
    return TermIndex(ids, slots, starts, entries, watermark)


class TermFile(FollowedFile[TermIndex]):
    """The word count file, viewed as it is now (FollowedFile); empty before it is written."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, view_term_file, build_term_index([]))


def load_terms(feed: PaperFeed) -> TermIndex:
    """Every stored paper's word counts as an index in memory (a store without index files)."""
    return build_term_index(paper_rows(feed.iter_papers_modified_since(None), {}))


def refresh_terms(feed: PaperFeed, path: Path) -> int:
    """Bring the file at `path` in step with the store: count the words of the papers modified
    since the watermark it was written at (every paper when it is missing or unreadable, or
    papers were removed), keep the other rows, rewrite it when any paper was read; how many
    papers were read."""
    mark = feed.lexical_watermark()
    watermark = (mark.papers, mark.modified_at)
    try:
        old = view_term_file(path)
    except (FileNotFoundError, InputError, ValueError):
        old = None
    if old is not None and old.watermark == watermark:
        return 0
    everything = partial(feed.iter_papers_modified_since, None)
    if old is None or old.watermark is None or old.watermark[1] is None:
        return write_term_file(path, paper_rows(everything(), {}), watermark)
    fresh = dict(paper_rows(feed.iter_papers_modified_since(old.watermark[1]), {}))
    if len(old) + int(np.isin(list(fresh), old.ids, invert=True).sum()) != mark.papers:
        return write_term_file(path, paper_rows(everything(), {}), watermark)  # removed papers
    kept = (row for row in old.rows() if row[0] not in fresh)
    write_term_file(path, chain(kept, fresh.items()), watermark)
    return len(fresh)
