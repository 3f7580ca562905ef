"""A user's recommendation model: feedback in, a UserProfile out; what it learned, and reset.

Pure: papers, vectors and the background come from the caller; nothing is stored here. Two
parts, fused when ranking: a weighted logistic regression over embeddings (likes against
dislikes and background papers) and a Rocchio term profile over tf-idf rows. docs/recommend.md
says how each constant was chosen on the evaluation's first half of months.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from papertide.errors import InputError
from papertide.index.embed import Vectors
from papertide.models import FOLLOW_KINDS, Follow
from papertide.rank.follows import matches_follow
from papertide.rank.logistic import fit_logistic
from papertide.rank.pool import Candidate, CandidatePool, prepare_pool
from papertide.rank.terms import IdRow, TermMatrix, mean_columns, term_row

# Signed weight of one event. The archive has no per-user events to measure these on, so they
# are set by intent: a thumbs up, a bookmark and a seed paper are full likes; a public upvote
# half of one (it also means "the community should see this"); a thumbs down a full dislike.
SIGNAL_WEIGHTS: Mapping[str, float] = {
    "up": 1.0,
    "bookmark": 1.0,
    "seed": 1.0,
    "upvote": 0.5,
    "down": -1.0,
}
BACKGROUND_SEED = 0  # the default sampling seed, so that a profile is reproducible
ROCCHIO_NEGATIVE = 0.5  # weight of the disliked centroid against the liked (Rocchio, 1971)
EMPTY, CENTROID, LOGISTIC = "empty", "centroid", "logistic"
IntArray = npt.NDArray[np.int64]
Weighted = list[tuple[Vectors, IdRow, float]]  # (vector, tf-idf row, weight)


@dataclass(frozen=True, slots=True)
class Feedback:
    """One event of a user about a paper: `signal` is a key of SIGNAL_WEIGHTS, `weight` >= 0
    scales it (e.g. to fade old events)."""

    paper_id: str
    signal: str
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.signal not in SIGNAL_WEIGHTS:
            raise InputError(f"unknown feedback {self.signal!r}; use one of {list(SIGNAL_WEIGHTS)}")
        if not 0 <= self.weight < float("inf"):
            raise InputError(f"feedback weight must be a finite number >= 0, not {self.weight}")


@dataclass(frozen=True, slots=True)
class RecommendParams:
    """The model's constants, chosen on the evaluation's dev months (docs/recommend.md).

    Training: up to `background_size` background papers are negatives with total weight
    `background_weight` (likes weigh 1 in total); a dislike weighs `dislike_weight` likes;
    `l2` is the logistic regression's penalty. A follow adds up to `follow_examples`
    background papers it matches as likes of `follow_example_weight` each.
    Ranking: score = z(embedding score) + term_mix * z(term score), each standardised over
    the candidates; then label spreading over each candidate's `neighbours` nearest candidates
    (`smoothing_steps` steps of weight `smoothing`); each matched follow adds `follow_boost`.
    The profile keeps its `term_keep` largest term weights and the vectors of its `max_liked`
    heaviest likes; reasons name `nearest` liked papers and `reason_terms` terms.
    """

    l2: float = 0.1
    background_size: int = 400
    background_weight: float = 1.0
    dislike_weight: float = 1.0
    term_mix: float = 0.8
    term_background: float = 1.0
    follow_examples: int = 20
    follow_example_weight: float = 0.25
    follow_boost: float = 1.0
    smoothing: float = 0.7
    smoothing_steps: int = 3
    neighbours: int = 10
    term_keep: int = 1000
    max_liked: int = 200
    nearest: int = 2
    reason_terms: int = 3


DEFAULT_PARAMS = RecommendParams()


@dataclass(frozen=True, slots=True, eq=False)
class UserProfile:
    """What the model learned for one user.

    Embedding score = vector . embedding_weights + bias; term score = sum over the paper's
    tf-idf row of value x term weight. `kind` is "logistic" (likes contrasted with negatives),
    "centroid" (Rocchio: nothing to contrast with) or "empty". `liked` and `disliked` are the
    papers with a net positive / negative feedback weight, heaviest first; row i of
    `liked_vectors` is the vector of liked[i] (up to `max_liked` rows).
    """

    kind: str
    embedding_weights: Vectors
    bias: float = 0.0
    term_weights: tuple[tuple[str, float], ...] = ()
    liked: tuple[tuple[str, float], ...] = ()
    disliked: tuple[tuple[str, float], ...] = ()
    liked_vectors: Vectors = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    follows: tuple[Follow, ...] = ()

    @property
    def dim(self) -> int:
        return int(self.embedding_weights.shape[0])

    @property
    def is_empty(self) -> bool:
        """Nothing to rank by: no model and no follows (callers fall back to trending)."""
        return self.kind == EMPTY and not self.follows


def empty_profile(dim: int, follows: Sequence[Follow] = ()) -> UserProfile:
    """A profile that learned nothing, keeping `follows` if given."""
    return UserProfile(EMPTY, np.zeros(dim, np.float32), follows=tuple(follows))


def reset_profile(profile: UserProfile) -> UserProfile:
    """Forget everything the profile learned: likes, dislikes, terms and follows."""
    return empty_profile(profile.dim)


def net_feedback(feedback: Sequence[Feedback]) -> dict[str, float]:
    """Each paper's summed signed weight, in first-seen order (zero sums are dropped)."""
    totals: dict[str, float] = {}
    for event in feedback:
        signed = SIGNAL_WEIGHTS[event.signal] * event.weight
        totals[event.paper_id] = totals.get(event.paper_id, 0.0) + signed
    return {paper: total for paper, total in totals.items() if total != 0}


def train_profile(
    feedback: Sequence[Feedback],
    papers: Mapping[str, Candidate],
    follows: Sequence[Follow] = (),
    background: CandidatePool | Sequence[Candidate] = (),
    *,
    rng: random.Random | None = None,
    params: RecommendParams = DEFAULT_PARAMS,
    previous: UserProfile | None = None,
) -> UserProfile:
    """Fit a user's model; deterministic for a given `rng` (default: seeded with 0).

    `papers` holds the feedback's papers; events about papers missing from it (not embedded
    yet) are ignored. `background` is recent papers (a pool is prepared from a sequence): the
    negatives and the idf, and where follows find example papers; rated papers are skipped.
    A `previous` logistic profile of the user starts the fit from its weights (the same
    minimum, to fit_logistic's tolerance, in fewer steps).
    """
    check_follows(follows)
    net = {pid: w for pid, w in net_feedback(feedback).items() if pid in papers}
    liked = tuple(sorted(((p, w) for p, w in net.items() if w > 0), key=lambda pw: -pw[1]))
    disliked = tuple(sorted(((p, -w) for p, w in net.items() if w < 0), key=lambda pw: -pw[1]))
    pool = background if isinstance(background, CandidatePool) else prepare_pool(background)
    dim = next((int(c.vector.shape[0]) for c in (*papers.values(), *pool.candidates)), 0)
    rated = {p for p, _ in liked} | {p for p, _ in disliked}
    free = np.asarray([i for i, c in enumerate(pool.candidates) if c.paper_id not in rated])
    free = free.astype(np.int64)
    pseudo = follow_rows(follows, pool, free, params)
    pool.terms.trim()
    positives = [(papers[p].vector, term_row(papers[p].text, pool.terms), w) for p, w in liked] + [
        (pool.matrix[i], pool.terms.id_row(i), params.follow_example_weight) for i in pseudo
    ]
    negatives = [
        (papers[p].vector, term_row(papers[p].text, pool.terms), w * params.dislike_weight)
        for p, w in disliked
        if params.dislike_weight > 0
    ]
    if not positives and not negatives:
        return empty_profile(dim, follows)
    sample = sample_rows(np.setdiff1d(free, pseudo), params, rng)
    start = None
    if previous is not None and previous.kind == LOGISTIC and previous.dim == dim:
        start = np.append(previous.embedding_weights.astype(np.float64), previous.bias)
    kind, embedding, bias = fit_embedding(positives, negatives, pool.matrix[sample], params, start)
    sampled = (pool.terms, *mean_columns(pool.terms, sample))
    terms = rocchio_terms(positives, negatives, sampled, params)
    vectors = [papers[p].vector for p, _ in liked[: params.max_liked]]
    stacked = np.concatenate([np.zeros(0, np.float32), *vectors])  # 4x faster than np.stack
    liked_vectors = stacked.reshape(len(vectors), dim).astype(np.float32)
    return UserProfile(
        kind, embedding, bias, terms, liked, disliked, liked_vectors, tuple(follows),
    )  # fmt: skip


def fit_embedding(
    positives: Weighted,
    negatives: Weighted,
    background: Vectors,
    params: RecommendParams,
    start: npt.NDArray[np.float64] | None = None,
) -> tuple[str, Vectors, float]:
    """The logistic regression's weights and intercept (its fit starting from `start`, the
    weights then the intercept, if given); a Rocchio centroid when there is no negative or
    no positive example to contrast.

    Likes weigh 1 in total, dislikes as many likes as they are, the background
    `background_weight` in total. A constant feature 1 gives the intercept.
    """
    if not positives or not (negatives or len(background)):
        return CENTROID, centroid([(v, w) for v, _, w in positives], negatives), 0.0
    total = sum(w for _, _, w in positives)
    rated = [v for v, _, _ in (*positives, *negatives)]
    dim = int(rated[0].shape[0])
    # written into one array (np.stack, concatenate, hstack and astype took 20x longer)
    features = np.ones((len(rated) + len(background), dim + 1), dtype=np.float64)
    features[: len(rated), :dim] = np.concatenate(rated).reshape(len(rated), dim)
    if len(background):
        features[len(rated) :, :dim] = background
    labels = np.zeros(len(features))
    labels[: len(positives)] = 1.0
    weights = [w / total for _, _, w in (*positives, *negatives)]
    weights += [params.background_weight / len(background)] * len(background)
    beta = fit_logistic(features, labels, np.asarray(weights), params.l2, start)
    return LOGISTIC, beta[:-1].astype(np.float32), float(beta[-1])


def centroid(positives: list[tuple[Vectors, float]], negatives: Weighted) -> Vectors:
    """Weighted mean of the liked vectors minus ROCCHIO_NEGATIVE x that of the disliked."""
    out = np.zeros_like(positives[0][0] if positives else negatives[0][0], dtype=np.float64)
    for group, sign in ((positives, 1.0), ([(v, w) for v, _, w in negatives], -ROCCHIO_NEGATIVE)):
        total = sum(w for _, w in group)
        for vector, weight in group:
            out += sign * weight / total * vector
    return out.astype(np.float32)


def rocchio_terms(
    positives: Weighted,
    negatives: Weighted,
    background: tuple[TermMatrix, IntArray, npt.NDArray[np.float64]],
    params: RecommendParams,
) -> tuple[tuple[str, float], ...]:
    """Rocchio over tf-idf rows, in two cuts (each to the `term_keep` terms of largest weight
    magnitude; one cut after the subtraction ranked worse on dev, 0.708 against 0.717):
    the likes' weighted mean row minus ROCCHIO_NEGATIVE x the dislikes', cut; then minus
    `term_background` x the background's mean row (its matrix, columns and values), which
    gives the words of papers the user passes over negative weights, cut again. By
    decreasing weight."""
    matrix, columns, means = background
    ids, parts, scales = [], [], []
    for group, sign in ((positives, 1.0), (negatives, -ROCCHIO_NEGATIVE)):
        total = sum(w for _, _, w in group)
        for _, row, weight in group:
            ids.append(row.ids)
            parts.append(row.values)
            scales.append(sign * weight / total)
    # bincount adds each term's parts in row order from 0.0, as a running sum would
    every = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    lengths = [len(part) for part in parts]
    weights = np.concatenate(parts) * np.repeat(scales, lengths) if parts else None
    sums = np.asarray(np.bincount(every, weights, matrix.term_ids), dtype=np.float64)
    seen = np.flatnonzero(np.bincount(every, minlength=matrix.term_ids))
    kept = seen[largest(sums[seen], lambda k: matrix.term_name(int(seen[k])), params.term_keep)]
    # every background term at 0 - term_background x mean, then the kept terms added in
    values = 0.0 - params.term_background * means
    at = np.minimum(np.searchsorted(columns, kept), max(len(columns) - 1, 0))
    inside = columns[at] == kept if len(columns) else np.zeros(len(kept), bool)
    values[at[inside]] = sums[kept[inside]] - params.term_background * means[at[inside]]
    extra = kept[~inside]
    merged = np.concatenate([values, sums[extra]])
    merged_ids = np.concatenate([columns, extra])  # the term id of each merged value
    chosen = largest(merged, lambda i: matrix.term_name(int(merged_ids[i])), params.term_keep)
    names = [matrix.term_name(i) for i in merged_ids[chosen].tolist()]
    cut = zip(names, merged[chosen].tolist(), strict=True)
    return tuple(sorted(cut, key=lambda tw: (-tw[1], tw[0])))


def largest(values: npt.NDArray[np.float64], name: Callable[[int], str], n: int) -> IntArray:
    """Indexes of the n values of largest magnitude, ties by name(index), in no particular
    order: those above the n-th largest magnitude are found in numpy, and only the values
    equal to it are sorted, by name, for the places left."""
    magnitudes = np.abs(values)
    if len(magnitudes) <= n or n <= 0:
        return np.arange(len(magnitudes) if n > 0 else 0)
    threshold = np.partition(magnitudes, len(magnitudes) - n)[len(magnitudes) - n]
    above = np.flatnonzero(magnitudes > threshold)
    tied = sorted(np.flatnonzero(magnitudes == threshold).tolist(), key=name)
    return np.concatenate([above, np.asarray(tied[: n - len(above)], np.int64)])


def follow_rows(
    follows: Sequence[Follow], pool: CandidatePool, free: IntArray, params: RecommendParams
) -> IntArray:
    """For each follow, the first `follow_examples` free pool rows it matches."""
    chosen: dict[int, None] = {}
    for follow in follows:
        found = [i for i in free.tolist() if matches_follow(follow, pool.keys[i])]
        chosen.update(dict.fromkeys(found[: params.follow_examples]))
    return np.asarray(list(chosen), dtype=np.int64)


def sample_rows(rows: IntArray, params: RecommendParams, rng: random.Random | None) -> IntArray:
    """Up to `background_size` of the rows, a seeded random sample when there are more."""
    if len(rows) <= params.background_size:
        return rows
    chooser = rng or random.Random(BACKGROUND_SEED)
    return np.asarray(sorted(chooser.sample(rows.tolist(), params.background_size)), np.int64)


def check_follows(follows: Sequence[Follow]) -> None:
    """Refuse follow kinds the recommender does not know."""
    for follow in follows:
        if follow.kind not in FOLLOW_KINDS:
            raise InputError(f"unknown follow kind {follow.kind!r}; use one of {FOLLOW_KINDS}")
