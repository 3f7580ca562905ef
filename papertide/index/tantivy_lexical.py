"""TantivyLexicalIndex: BM25 search in a tantivy index directory beside the store.

A derived file: everything in it can be rebuilt from the store (see lexical.sync_index); a
schema change (SCHEMA_VERSION) or a missing state file makes it start empty, but it never
deletes a directory that is not an index. Only the paper id is stored; text for more-like-this
comes from the store. Titles and abstracts are stemmed (English), authors are not; an unstemmed
`words` field serves prefix queries. One writer at a time (tantivy's lock).
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from papertide.errors import InputError
from papertide.index.lexical import (
    FieldWeights,
    IndexBusyError,
    IndexState,
    LexicalHit,
    PaperLookup,
    informative_terms,
)
from papertide.index.query import Query
from papertide.index.tantivy_query import (
    BuiltQuery,
    QueryContext,
    build_query,
    day_number,
    score_parts,
    text_terms_query,
)
from papertide.models import Paper

SCHEMA_VERSION = 1
STATE_FILE = "papertide-lexical.json"
WRITER_HEAP_BYTES = 128_000_000
WRITER_THREADS = 2
MAX_TOKEN_CHARS = 40


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", tokenizer_name="pt_stem")
    builder.add_text_field("authors", tokenizer_name="pt_plain")
    builder.add_text_field("abstract", tokenizer_name="pt_stem")
    builder.add_text_field("words", tokenizer_name="pt_plain", index_option="basic")
    builder.add_text_field("cat", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("day", indexed=True, fast=True)
    return builder.build()


FIELD_NAMES = ("id", "title", "authors", "abstract", "words", "cat", "day")


def build_analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """Unicode word tokens, long tokens dropped, lower-cased, accents folded; `pt_stem` adds
    the Snowball English stemmer."""

    def chain(stem: bool) -> tantivy.TextAnalyzer:
        builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        builder = builder.filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        builder = builder.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
        if stem:
            builder = builder.filter(tantivy.Filter.stemmer("english"))
        return builder.build()

    return {"pt_stem": chain(True), "pt_plain": chain(False)}


def paper_document(paper: Paper) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", paper.id)
    doc.add_text("title", paper.title)
    doc.add_text("abstract", paper.abstract)
    doc.add_text("words", f"{paper.title}\n{paper.abstract}")
    for name in paper.authors:
        doc.add_text("authors", name)
    for category in dict.fromkeys(_category_terms(paper.categories)):
        doc.add_text("cat", category)
    published = paper.published.date() if paper.published else None
    doc.add_integer("day", day_number(published))
    return doc


def _category_terms(categories: Iterable[str]) -> list[str]:
    """Each category lower-cased, and its archive ("cs.CL" gives "cs.cl" and "cs")."""
    terms = []
    for category in categories:
        terms += [category.lower(), category.split(".")[0].lower()]
    return terms


class TantivyLexicalIndex:
    """A tantivy index in `directory` (in memory when None), reading paper text from `papers`."""

    def __init__(
        self,
        directory: str | Path | None,
        papers: PaperLookup,
        weights: FieldWeights | None = None,
    ) -> None:
        self.directory = None if directory is None else Path(directory)
        self.papers = papers
        self.weights = weights or FieldWeights()
        self._memory_state: IndexState | None = None
        self._index = self._open()
        self._analyzers = build_analyzers()
        for name, analyzer in self._analyzers.items():
            self._index.register_tokenizer(name, analyzer)

    def _open(self) -> tantivy.Index:
        if self.directory is None:
            return tantivy.Index(build_schema())
        saved = self._read_state_file()
        if saved is None or saved.get("schema") != SCHEMA_VERSION:
            _clear_index_directory(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        return tantivy.Index(build_schema(), str(self.directory), reuse=True)

    def analyze(self, text: str, stem: bool = True) -> list[str]:
        return self._analyzers["pt_stem" if stem else "pt_plain"].analyze(text)

    def normalize_word(self, word: str) -> str:
        tokens = self.analyze(word)
        return tokens[0] if tokens else word.casefold()

    def add(self, papers: Iterable[Paper]) -> int:
        count = 0
        writer = self._writer()
        for paper in papers:
            writer.delete_documents_by_term("id", paper.id)
            writer.add_document(paper_document(paper))
            count += 1
        self._commit(writer)
        return count

    def remove(self, paper_ids: Iterable[str]) -> None:
        writer = self._writer()
        for paper_id in paper_ids:
            writer.delete_documents_by_term("id", paper_id)
        self._commit(writer)

    def rebuild(self, papers: Iterable[Paper]) -> int:
        writer = self._writer()
        writer.delete_all_documents()
        count = 0
        for paper in papers:
            writer.add_document(paper_document(paper))
            count += 1
        self._commit(writer)
        return count

    def _writer(self) -> tantivy.IndexWriter:
        try:
            return self._index.writer(WRITER_HEAP_BYTES, WRITER_THREADS)
        except ValueError as error:  # tantivy: "Failed to acquire Lockfile: LockBusy"
            where = self.directory or "memory"
            raise IndexBusyError(f"the search index in {where} is being written: {error}") from None

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def read_state(self) -> IndexState | None:
        if self.directory is None:
            return self._memory_state
        saved = self._read_state_file()
        if saved is None or saved.get("schema") != SCHEMA_VERSION:
            return None
        return IndexState(int(saved["papers"]), saved.get("modified_at"))

    def write_state(self, state: IndexState) -> None:
        if self.directory is None:
            self._memory_state = state
            return
        data = {"schema": SCHEMA_VERSION, "papers": state.papers, "modified_at": state.modified_at}
        temporary = self.directory / (STATE_FILE + ".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(self.directory / STATE_FILE)

    def _read_state_file(self) -> dict[str, Any] | None:
        path = None if self.directory is None else self.directory / STATE_FILE
        if path is None or not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def search(self, query: Query, limit: int, explain: bool = True) -> list[LexicalHit]:
        searcher = self._index.searcher()
        built = build_query(query, self._context(searcher))
        if built is None or limit <= 0:
            return []
        return self._run(searcher, built, limit, explain)

    def more_like_this(
        self,
        paper_id: str | None = None,
        text: str | None = None,
        limit: int = 10,
        explain: bool = True,
    ) -> list[LexicalHit]:
        if paper_id is not None:
            paper = self.papers.get_paper(paper_id)
            if paper is None:
                return []
            text = f"{paper.title}\n{paper.title}\n{paper.abstract}"  # the title counts twice
        searcher = self._index.searcher()
        ctx = self._context(searcher)
        stems = self.analyze(text or "")
        picked = informative_terms(stems, ctx.doc_freq, ctx.total_docs, min_doc_freq=2)
        similar = text_terms_query([token for token, _ in picked], ctx)
        if similar is None:
            return []
        # both analyzers share the tokenizer and filters before the stemmer: tokens align
        plain = dict(
            zip(reversed(stems), reversed(self.analyze(text or "", stem=False)), strict=False)
        )
        words: dict[str, tuple[str, ...]] = {t: (plain.get(t, t),) for t, _ in picked}
        if paper_id is not None:
            itself = tantivy.Query.term_query(ctx.schema, "id", paper_id)
            similar = similar.and_must_not_match(itself)
        return self._run(searcher, BuiltQuery(similar, True, words), limit, explain)

    def explain(self, query: Query, paper_ids: Iterable[str]) -> list[LexicalHit]:
        """Hits for these papers with matched terms and field scores (for a fused result page)."""
        searcher = self._index.searcher()
        built = build_query(query, self._context(searcher))
        if built is None:
            return []
        hits = []
        for paper_id in paper_ids:
            one = tantivy.Query.term_query(self._index.schema, "id", paper_id)
            found = searcher.search(one, 1, count=False).hits
            if found:
                hits.append(self._explained(searcher, built, found[0][1], paper_id))
        return hits

    def _run(
        self, searcher: tantivy.Searcher, built: BuiltQuery, limit: int, explain: bool
    ) -> list[LexicalHit]:
        if built.ranked:
            found = searcher.search(built.query, limit, count=False).hits
        else:
            found = searcher.search(built.query, limit, count=False, order_by_field="day").hits
        hits = []
        for score, address in found:
            paper_id = str(searcher.doc(address)["id"][0])
            if not built.ranked and not built.words:  # an id or filters only: nothing to explain
                hits.append(LexicalHit(paper_id, 0.0))
                continue
            if explain and built.ranked:
                hits.append(self._explained(searcher, built, address, paper_id))
            else:
                hits.append(LexicalHit(paper_id, float(score) if built.ranked else 0.0))
        if built.ranked:  # equal scores by id: the same order whichever way the index was built
            hits.sort(key=lambda hit: (-hit.score, hit.paper_id))
        return hits

    def _explained(
        self, searcher: tantivy.Searcher, built: BuiltQuery, address: Any, paper_id: str
    ) -> LexicalHit:
        try:
            explanation = built.query.explain(searcher, address).to_json()
        except ValueError:  # tantivy: "Document ... does not match"
            return LexicalHit(paper_id, 0.0)
        score, parts, tokens = score_parts(explanation, FIELD_NAMES)
        typed = dict.fromkeys(  # in query order, whatever order tantivy explains them in
            word for token, words in built.words.items() if token in tokens for word in words
        )
        for clause in built.labelled:
            value = _clause_score(clause.query, searcher, address)
            if value > 0:
                name = "prefix" if clause.field == "words" else clause.field
                parts[name] = parts.get(name, 0.0) + value
                typed[clause.text] = None
        fields = tuple((name, round(value, 4)) for name, value in parts.items())
        return LexicalHit(paper_id, score, tuple(typed), fields)

    def _context(self, searcher: tantivy.Searcher) -> QueryContext:
        return QueryContext(
            schema=self._index.schema,
            field_names=FIELD_NAMES,
            stem=self._analyzers["pt_stem"].analyze,
            plain=self._analyzers["pt_plain"].analyze,
            weights=self.weights,
            doc_freq=lambda token: int(searcher.doc_freq("abstract", token)),
            total_docs=int(searcher.num_docs),
        )


@contextmanager
def build_lock(directory: Path | None) -> Iterator[None]:
    """Wait for, then hold, an exclusive flock on `<directory>.lock`, so that one process at a
    time opens and updates the index there: opening a folder without a finished index clears
    it, which would wipe another process's build under way (two `serve` started together).
    The kernel frees it however its holder ends. An in-memory index (None) needs none."""
    if directory is None:
        yield
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    with directory.with_name(f"{directory.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _clear_index_directory(directory: Path) -> None:
    """Delete an index directory to start over, refusing anything that is not one."""
    if not directory.exists():
        return
    entries = {entry.name for entry in directory.iterdir()} if directory.is_dir() else {"?"}
    if entries and not entries & {"meta.json", STATE_FILE}:
        raise InputError(f"{directory} is not a papertide search index: not touching it")
    shutil.rmtree(directory)


def _clause_score(query: tantivy.Query, searcher: tantivy.Searcher, address: Any) -> float:
    try:
        return float(json.loads(query.explain(searcher, address).to_json()).get("value", 0.0))
    except ValueError:  # tantivy: "Document ... does not match"
        return 0.0
