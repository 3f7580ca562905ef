"""Load the evaluation collections (CSFCube, Daily Papers title->paper) from a data directory.

Reads files only; never downloads. Decisions (see docs in each loader):
- CSFCube query text = the query abstract's sentences labelled with the query's facet, where
  "background" also takes "objective" sentences (a stated objective is the problem the paper
  addresses); the whole abstract if none are labelled.
- Each CSFCube query is ranked against its own judged pool, given in paper-id order so that
  no ranker can profit from the order of the qrels file.
- Daily Papers: a seeded sample of distinct arXiv ids; the query is the title, the corpus the
  sampled abstracts without titles, the one relevant document the paper itself.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from papertide.errors import InputError
from papertide.eval.base import FACETS, EvalDoc, EvalQuery, Qrels
from papertide.eval.metrics import RELEVANT_GRADE

CSFCUBE_DIR = "csfcube"
DAILY_PAPERS_FILE = Path("hf-daily-papers") / "daily_papers.jsonl.gz"
CSFCUBE_FOLDS = ("fold1", "fold2")
# Sentence labels that make up each facet. The labels come from the sentence classifier the
# CSFCube authors ran and corrected on queries; two background queries (11844559, 6431039)
# have "objective" sentences only, so objective counts as background; "other" counts nowhere.
FACET_LABELS: Mapping[str, frozenset[str]] = {
    "background": frozenset({"background", "objective"}),
    "method": frozenset({"method"}),
    "result": frozenset({"result"}),
}
DAILY_PAPERS_SIZE = 2000
DAILY_PAPERS_SEED = 42


class DatasetError(InputError):
    """An evaluation data file is missing or not in the documented format."""


@dataclass(frozen=True, slots=True)
class Split:
    """A dev/test split of a collection's queries: tune on `dev`, report on `test`."""

    name: str
    dev: tuple[str, ...]
    test: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalCollection:
    """Queries, the candidate pool of each query, graded qrels and an optional split.

    Queries sharing a pool share the same tuple object in `pools`. Without a split, every
    query is a test query and none is for tuning. Binary metrics (AP, RR) count a document
    as relevant from grade `relevant_grade` up. `seed` is the sampling seed of a sampled
    collection. `folds` are every official split of the collection (CSFCube: fold1, fold2),
    `split` the one in use.
    """

    name: str
    queries: tuple[EvalQuery, ...]
    pools: Mapping[str, tuple[EvalDoc, ...]]
    qrels: Qrels
    split: Split | None = None
    relevant_grade: int = 1
    seed: int | None = None
    folds: tuple[Split, ...] = ()

    def test_queries(self) -> tuple[EvalQuery, ...]:
        """The queries to report on, in collection order."""
        return self._select(None if self.split is None else self.split.test)

    def dev_queries(self) -> tuple[EvalQuery, ...]:
        """The queries to tune on, in collection order; empty without a split."""
        return self._select(() if self.split is None else self.split.dev)

    def with_fold(self, name: str) -> EvalCollection:
        """The same collection with the official split `name` in use."""
        for fold in self.folds:
            if fold.name == name:
                return replace(self, split=fold)
        raise DatasetError(f"{self.name} has no fold {name!r}")

    def _select(self, ids: Sequence[str] | None) -> tuple[EvalQuery, ...]:
        if ids is None:
            return self.queries
        wanted = set(ids)
        return tuple(q for q in self.queries if q.id in wanted)


@dataclass(frozen=True, slots=True)
class EvalData:
    """Everything `papertide eval` reads; `daily_papers` is None when not loaded."""

    csfcube: EvalCollection
    daily_papers: EvalCollection | None = None


def default_data_dir() -> Path:
    """../shared/data next to the repository checkout (the CLI's --data overrides it)."""
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def load_eval_data(
    data_dir: Path,
    *,
    fold: str = "fold1",
    daily_papers_size: int | None = DAILY_PAPERS_SIZE,
    daily_papers_seed: int = DAILY_PAPERS_SEED,
) -> EvalData:
    """Load CSFCube (split `fold`) and, unless `daily_papers_size` is None or 0, Daily Papers."""
    csfcube = load_csfcube(data_dir, fold=fold)
    if not daily_papers_size:
        return EvalData(csfcube)
    daily = load_daily_papers(data_dir, size=daily_papers_size, seed=daily_papers_seed)
    return EvalData(csfcube, daily)


def load_csfcube(data_dir: Path, *, fold: str = "fold1") -> EvalCollection:
    """Load the 50 CSFCube queries, their pools, adjudicated qrels and the `fold` split.

    `fold` is one of CSFCUBE_FOLDS from evaluation_splits.json: fold1 tunes on fold1_dev
    (24 queries) and reports on fold1_test (26); the two halves are disjoint. The authors'
    script (iesl/CSFCube eval_scripts/ranking_eval.py) tunes on fold1_dev too but reports
    the mean of fold1_test and fold2_test, and fold2_test is fold1_dev: tuned settings would
    be scored on the queries they were tuned on. official.py follows their protocol with
    each fold's test queries ranked by settings tuned on that fold's dev queries; every fold
    is kept in `folds` for it.
    Pools are kept as judged: paper 8781666 is in its own two pools, graded 3.
    """
    if fold not in CSFCUBE_FOLDS:
        raise DatasetError(f"unknown CSFCube fold {fold!r}; choose one of {CSFCUBE_FOLDS}")
    root = data_dir / CSFCUBE_DIR
    papers = {doc.id: doc for doc in map(parse_doc, read_jsonl(root / "corpus.jsonl.gz"))}
    queries = tuple(parse_query(row) for row in read_jsonl(root / "queries.jsonl"))
    qrels = read_qrels(root / "qrels.tsv")
    pools = {q.id: build_pool(q.id, qrels.get(q.id, {}), papers) for q in queries}
    folds = tuple(read_split(root / "evaluation_splits.json", name) for name in CSFCUBE_FOLDS)
    known = {q.id for q in queries}
    named = {i for split in folds for i in (*split.dev, *split.test)}
    if unknown := sorted(named - known):
        raise DatasetError(f"evaluation_splits.json names unknown queries: {unknown[:3]}")
    split = folds[CSFCUBE_FOLDS.index(fold)]
    return EvalCollection("csfcube", queries, pools, qrels, split, RELEVANT_GRADE, folds=folds)


def load_daily_papers(
    data_dir: Path, *, size: int = DAILY_PAPERS_SIZE, seed: int = DAILY_PAPERS_SEED
) -> EvalCollection:
    """Sample `size` distinct papers with `random.Random(seed)` and build title->paper queries.

    The sample is drawn from the sorted distinct arXiv ids (the first row wins for the four
    papers listed on two days), so it depends only on the file and the seed. Documents carry
    no title: with titles, finding a paper by its own title would be trivial.
    """
    rows: dict[str, dict[str, Any]] = {}
    for row in read_jsonl(data_dir / DAILY_PAPERS_FILE):
        if has_text(row, "arxiv_id") and has_text(row, "title") and has_text(row, "abstract"):
            rows.setdefault(str(row["arxiv_id"]), row)
    if len(rows) < size:
        raise DatasetError(f"{DAILY_PAPERS_FILE} has {len(rows)} papers, fewer than {size}")
    chosen = sorted(random.Random(seed).sample(sorted(rows), size))
    docs = tuple(EvalDoc(i, "", squeeze(rows[i]["abstract"])) for i in chosen)
    queries = tuple(EvalQuery(i, squeeze(rows[i]["title"])) for i in chosen)
    qrels = {i: {i: 1} for i in chosen}
    return EvalCollection("daily-papers", queries, dict.fromkeys(chosen, docs), qrels, seed=seed)


def facet_text(sentences: Sequence[Mapping[str, str]], facet: str, abstract: str) -> str:
    """Join the sentences labelled for `facet` (FACET_LABELS); the abstract when there are none."""
    labels = FACET_LABELS[facet]
    chosen = [s["text"] for s in sentences if s.get("label") in labels]
    return " ".join(chosen) if chosen else abstract


def parse_doc(row: Mapping[str, Any]) -> EvalDoc:
    """A corpus.jsonl row as an EvalDoc."""
    try:
        return EvalDoc(str(row["paper_id"]), squeeze(row["title"]), squeeze(row["abstract"]))
    except (KeyError, AttributeError) as error:
        raise DatasetError(f"CSFCube corpus row without {error}: {str(row)[:80]}") from error


def parse_query(row: Mapping[str, Any]) -> EvalQuery:
    """A queries.jsonl row as a faceted EvalQuery carrying its query paper."""
    try:
        facet = str(row["facet"])
        if facet not in FACETS:
            raise DatasetError(f"CSFCube query {row['query_id']} has unknown facet {facet!r}")
        paper = parse_doc(row)
        text = facet_text(row.get("abstract_sentences") or [], facet, paper.abstract)
        return EvalQuery(str(row["query_id"]), squeeze(text), facet, paper)
    except KeyError as error:
        raise DatasetError(f"CSFCube query row without {error}: {str(row)[:80]}") from error


def build_pool(
    query_id: str, judged: Mapping[str, int], papers: Mapping[str, EvalDoc]
) -> tuple[EvalDoc, ...]:
    """The judged candidates of one query, in paper-id order."""
    if not judged:
        raise DatasetError(f"CSFCube query {query_id} has no judged candidates in qrels.tsv")
    if missing := sorted(set(judged) - set(papers)):
        raise DatasetError(f"CSFCube query {query_id}: candidates not in corpus: {missing[:3]}")
    return tuple(papers[i] for i in sorted(judged))


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """qrels.tsv -> query id -> paper id -> adjudicated grade."""
    qrels: dict[str, dict[str, int]] = {}
    with open_text(path) as lines:
        for n, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
            try:
                grade = int(row["relevance_adjudicated"])
                qrels.setdefault(row["query_id"], {})[row["paper_id"]] = grade
            except (KeyError, TypeError, ValueError) as error:
                raise DatasetError(f"{path}:{n}: not a qrels row ({error})") from error
    return qrels


def read_split(path: Path, fold: str) -> Split:
    """The all-facets dev and test query ids of `fold` from evaluation_splits.json."""
    with open_text(path) as lines:
        splits = json.load(lines)
    try:
        folds = splits["all"]
        return Split(fold, tuple(folds[f"{fold}_dev"]), tuple(folds[f"{fold}_test"]))
    except (KeyError, TypeError) as error:
        raise DatasetError(f"{path}: no all/{fold}_dev and _test lists ({error})") from error


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a .jsonl or .jsonl.gz file."""
    with open_text(path) as lines:
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DatasetError(f"{path}:{n}: invalid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise DatasetError(f"{path}:{n}: expected a JSON object")
            yield row


def open_text(path: Path) -> TextIO:
    """Open a (possibly gzipped) UTF-8 file, or explain where the data was expected."""
    if not path.is_file():
        raise DatasetError(
            f"evaluation data not found: {path} (expected the shared data directory, "
            "../shared/data beside the repository; pass --data DIR to point elsewhere)"
        )
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8", newline="")


def has_text(row: Mapping[str, Any], key: str) -> bool:
    """Whether `row[key]` is a non-blank string."""
    value = row.get(key)
    return isinstance(value, str) and bool(value.strip())


def squeeze(text: Any) -> str:
    """Collapse runs of whitespace (arXiv abstracts keep their line breaks)."""
    return " ".join(str(text).split())
