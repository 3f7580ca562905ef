"""Translate a parsed Query into a tantivy query, and a tantivy explanation into score parts.

Every user word goes through the index's own analyzers and becomes a term, phrase or regex
query built with tantivy's constructors: no user text ever reaches a query parser, so no input
can cause a syntax error. Scoring is tantivy's BM25 (k1 1.2, b 0.75) per field, summed with the
field weights (a "most fields" sum of per-field BM25, not BM25F). Needs an open index; no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import tantivy

from papertide.index.lexical import FieldWeights, informative_terms
from papertide.index.query import Query

_NO_DATE = 0  # `day` of a paper without a publication date: no date filter matches it
_LAST_DAY = 99_991_231
_TERM_CONTEXT = re.compile(r'Term=Term\(field=(\d+), type=Str, "((?:[^"\\]|\\.)*)"\)')
_BOOST = re.compile(r"Boost x([0-9.eE+-]+) of")

Analyze = Callable[[str], list[str]]
Clause = tuple[tantivy.Occur, tantivy.Query]


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What building a query needs from the open index."""

    schema: tantivy.Schema
    field_names: tuple[str, ...]  # schema fields in ordinal order, to read explanations
    stem: Analyze  # title and abstract
    plain: Analyze  # authors and the unstemmed `words` field (prefixes)
    weights: FieldWeights
    doc_freq: Callable[[str], int]  # documents whose abstract holds a stemmed token
    total_docs: int


@dataclass(frozen=True, slots=True)
class LabelledClause:
    """A phrase or prefix clause, explained on its own: tantivy's explanation of a phrase or
    a constant score does not name its field or words."""

    field: str
    text: str
    query: tantivy.Query


@dataclass(frozen=True, slots=True)
class BuiltQuery:
    """A tantivy query; `ranked` False means filters only (order by date); `words` maps an
    analyzed token to the query words it came from, to report matched terms as typed."""

    query: tantivy.Query
    ranked: bool
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labelled: tuple[LabelledClause, ...] = ()


@dataclass
class _Parts:
    """What building one query collects besides the query (local to one build_query call)."""

    words: dict[str, list[str]] = field(default_factory=dict)
    labelled: list[LabelledClause] = field(default_factory=list)

    def word(self, token: str, text: str) -> None:
        self.words.setdefault(token, []).append(text)


def day_number(day: date | None) -> int:
    """A date as the integer YYYYMMDD stored in the `day` field."""
    return _NO_DATE if day is None else day.year * 10_000 + day.month * 100 + day.day


def build_query(query: Query, ctx: QueryContext) -> BuiltQuery | None:
    """The tantivy query for `query`; None when nothing is left to search for."""
    if query.paper_id is not None:
        return BuiltQuery(tantivy.Query.term_query(ctx.schema, "id", query.paper_id), False)
    parts = _Parts()
    text = _long_text(query, ctx, parts) if query.is_long_text else _short_text(query, ctx, parts)
    others = _filters(query, ctx) + _negations(query, ctx)
    if text is None and not others:
        return None
    frozen = {token: tuple(dict.fromkeys(typed)) for token, typed in parts.words.items()}
    labelled = tuple(parts.labelled)
    if not others:
        # a flat OR of term queries keeps tantivy's block-max WAND (top-k pruning)
        return BuiltQuery(text, True, frozen, labelled)
    base = text if text is not None else tantivy.Query.all_query()
    top = tantivy.Query.boolean_query([(tantivy.Occur.Must, base), *others])
    return BuiltQuery(top, text is not None, frozen, labelled)


def _short_text(query: Query, ctx: QueryContext, parts: _Parts) -> Any:
    clauses: list[Clause] = []
    for word in query.terms:
        clauses += [(tantivy.Occur.Should, q) for q in _word_queries(word, ctx, parts)]
    for prefix in query.prefixes:
        clauses += [(tantivy.Occur.Should, q) for q in _prefix_queries(prefix, ctx, parts)]
    for phrase in query.phrases:
        alternatives = _word_queries(phrase, ctx, parts)
        if alternatives:
            clauses.append((tantivy.Occur.Must, _any(alternatives)))
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _long_text(query: Query, ctx: QueryContext, parts: _Parts) -> Any:
    """A pasted text: OR of its most informative tokens, not an AND of hundreds of words."""
    text = " ".join(query.terms)
    tokens = ctx.stem(text)
    # the analyzers differ only in the stemmer, so tokens align: report "models", not
    # "(Models," or the stem "model"
    for token, plain in zip(tokens, ctx.plain(text), strict=False):
        if token not in parts.words:
            parts.word(token, plain)
    picked = informative_terms(tokens, ctx.doc_freq, ctx.total_docs)
    return text_terms_query([token for token, _ in picked], ctx)


def text_terms_query(tokens: Iterable[str], ctx: QueryContext) -> Any:
    """OR of stemmed tokens over title and abstract (more-like-this), None without tokens."""
    clauses = [
        (tantivy.Occur.Should, _term(ctx, name, token, weight))
        for token in tokens
        for name, weight in (("title", ctx.weights.title), ("abstract", ctx.weights.abstract))
    ]
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _word_queries(text: str, ctx: QueryContext, parts: _Parts) -> list[Any]:
    """One query per field for a word or phrase: a term query, or a phrase query when the
    analyzer splits it ("GPT-4", "state-of-the-art", a quoted phrase)."""
    queries = []
    for name, analyze, weight in _fields(ctx):
        tokens = analyze(text)
        if len(tokens) == 1:
            parts.word(tokens[0], text)
            queries.append(_term(ctx, name, tokens[0], weight))
        elif tokens:
            phrase = tantivy.Query.phrase_query(ctx.schema, name, _words(tokens))
            queries.append(tantivy.Query.boost_query(phrase, weight))
            parts.labelled.append(LabelledClause(name, text, queries[-1]))
    return queries


def _prefix_queries(prefix: str, ctx: QueryContext, parts: _Parts) -> list[Any]:
    """Unstemmed terms starting with the prefix, in title+abstract (`words`) and authors;
    a match scores a constant (the title weight): a prefix has no single idf."""
    tokens = ctx.plain(prefix)
    if len(tokens) != 1:
        return _word_queries(prefix, ctx, parts)
    pattern = re.escape(tokens[0]) + ".*"
    queries = []
    for name in ("words", "authors"):
        regex = tantivy.Query.regex_query(ctx.schema, name, pattern)
        queries.append(tantivy.Query.const_score_query(regex, ctx.weights.title))
        parts.labelled.append(LabelledClause(name, prefix + "*", queries[-1]))
    return queries


def _filters(query: Query, ctx: QueryContext) -> list[Clause]:
    """Filters never change scores: each is wrapped in a constant score of 0."""
    musts = [_any(_author_queries(name, ctx)) for name in query.authors]
    if query.categories:
        musts.append(_any([_category(ctx, category) for category in query.categories]))
    if query.since or query.until:
        lower = max(day_number(query.since), _NO_DATE + 1)
        upper = day_number(query.until) if query.until else _LAST_DAY
        musts.append(
            tantivy.Query.range_query(ctx.schema, "day", tantivy.FieldType.Integer, lower, upper)
        )
    return [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in musts]


def _negations(query: Query, ctx: QueryContext) -> list[Clause]:
    unused = _Parts()
    queries = [q for word in query.not_terms for q in _word_queries(word, ctx, unused)]
    queries += [q for phrase in query.not_phrases for q in _word_queries(phrase, ctx, unused)]
    queries += [q for prefix in query.not_prefixes for q in _prefix_queries(prefix, ctx, unused)]
    queries += [q for name in query.not_authors for q in _author_queries(name, ctx)]
    queries += [_category(ctx, category) for category in query.not_categories]
    return [(tantivy.Occur.MustNot, q) for q in queries]


def _author_queries(name: str, ctx: QueryContext) -> list[Any]:
    tokens = ctx.plain(name)
    if not tokens:
        return [tantivy.Query.empty_query()]
    if len(tokens) == 1:
        return [tantivy.Query.term_query(ctx.schema, "authors", tokens[0])]
    return [tantivy.Query.phrase_query(ctx.schema, "authors", _words(tokens))]


def _words(tokens: list[str]) -> list[str | tuple[int, str]]:
    return list(tokens)


def _category(ctx: QueryContext, category: str) -> Any:
    return tantivy.Query.term_query(ctx.schema, "cat", category.lower())


def _fields(ctx: QueryContext) -> list[tuple[str, Analyze, float]]:
    return [
        ("title", ctx.stem, ctx.weights.title),
        ("authors", ctx.plain, ctx.weights.authors),
        ("abstract", ctx.stem, ctx.weights.abstract),
    ]


def _term(ctx: QueryContext, name: str, token: str, weight: float) -> Any:
    return tantivy.Query.boost_query(tantivy.Query.term_query(ctx.schema, name, token), weight)


def _any(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def score_parts(
    explanation: str, field_names: tuple[str, ...]
) -> tuple[float, dict[str, float], set[str]]:
    """The score, its per-field sums and the matched tokens, read from tantivy's explanation
    JSON (parsed once: it is most of the cost of explaining a hit).

    Tolerant: a node it does not understand adds nothing (the parts are a courtesy).
    """
    parts: dict[str, float] = {}
    tokens: set[str] = set()
    try:
        tree = json.loads(explanation)
    except ValueError:
        return 0.0, parts, tokens
    _walk(tree, 1.0, field_names, parts, tokens)
    score = float(tree.get("value", 0.0)) if isinstance(tree, dict) else 0.0
    return score, parts, tokens


def _walk(
    node: Any, boost: float, names: tuple[str, ...], parts: dict[str, float], tokens: set[str]
) -> None:
    if not isinstance(node, dict):
        return
    description = str(node.get("description", ""))
    found = _BOOST.match(description)
    if found:
        boost *= float(found[1])
    terms = [_TERM_CONTEXT.search(str(c)) for c in node.get("context", [])]
    terms_found = [t for t in terms if t is not None]
    if terms_found and not found:
        value = float(node.get("value", 0.0)) * boost
        ordinal = int(terms_found[0][1])
        if value > 0 and ordinal < len(names):
            parts[names[ordinal]] = parts.get(names[ordinal], 0.0) + value
            tokens.update(json.loads(f'"{t[2]}"') for t in terms_found)
        return
    for child in node.get("details", []):
        _walk(child, boost, names, parts, tokens)
