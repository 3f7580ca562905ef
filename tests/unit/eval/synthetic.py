"""Small hand-made collections and rankers for the harness tests."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from papertide.eval.base import EvalDoc, EvalQuery, Qrels
from papertide.eval.datasets import EvalCollection, Split


def doc(doc_id: str, text: str = "") -> EvalDoc:
    return EvalDoc(doc_id, "", text or f"abstract of {doc_id}")


def faceted_collection(split: Split | None = None) -> EvalCollection:
    """Four faceted queries over two pools; q1 and q2 share a pool object."""
    shared = (doc("a"), doc("b"), doc("c"), doc("d"))
    own = (doc("e"), doc("f"), doc("g"))
    queries = (
        EvalQuery("q1", "one", "background"),
        EvalQuery("q2", "two", "method"),
        EvalQuery("q3", "three", "result"),
        EvalQuery("q4", "four", "method"),
    )
    qrels: Qrels = {
        "q1": {"a": 0, "b": 3, "c": 1, "d": 2},
        "q2": {"a": 2, "b": 0, "c": 0, "d": 0},
        "q3": {"e": 1, "f": 0, "g": 3},
        "q4": {"e": 0, "f": 2, "g": 0},
    }
    pools = {"q1": shared, "q2": shared, "q3": own, "q4": own}
    return EvalCollection("toy", queries, pools, qrels, split, relevant_grade=2)


def title_collection() -> EvalCollection:
    """Three title queries over one shared corpus; each query's own paper is relevant."""
    docs = (doc("p1"), doc("p2"), doc("p3"))
    queries = tuple(EvalQuery(d.id, f"title {d.id}") for d in docs)
    pools = dict.fromkeys((q.id for q in queries), docs)
    return EvalCollection("titles", queries, pools, {d.id: {d.id: 1} for d in docs})


@dataclass
class FixedRanker:
    """Returns a fixed ranking per query id (candidates' order otherwise), cut at k unless `cut`
    is False; records (query id, candidates object id, k) of every call."""

    rankings: dict[str, list[str]] = field(default_factory=dict)
    name: str = "fixed"
    seen: list[tuple[str, int, int]] = field(default_factory=list)
    cut: bool = True

    def rank(self, query: EvalQuery, candidates: Sequence[EvalDoc], k: int) -> list[str]:
        self.seen.append((query.id, id(candidates), k))
        ranking = self.rankings.get(query.id, [d.id for d in candidates])
        return ranking[:k] if self.cut else ranking
