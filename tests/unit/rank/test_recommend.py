"""The per-user recommender: training, ranking, reasons, what it learned, reset, cold start."""

import random
from collections.abc import Sequence

import numpy as np
import pytest

from papertide.errors import InputError
from papertide.models import Follow
from papertide.rank.bibtex import match_entries, parse_bibtex, seed_feedback, title_key
from papertide.rank.profile import DEFAULT_PARAMS
from papertide.rank.recommend import (
    Candidate,
    Feedback,
    Recommendation,
    RecommendParams,
    UserProfile,
    describe_profile,
    empty_profile,
    prepare_candidates,
    recommend,
    reset_profile,
    score_pool,
    train_profile,
)
from tests.unit.rank.papers import make_papers, split_papers, topic_of

PAPERS = make_papers()
HISTORY, CANDIDATES = split_papers(PAPERS)
BY_ID = {p.paper_id: p for p in PAPERS}
POOL = prepare_candidates(CANDIDATES)


def likes(topic: str, n: int = 5) -> list[Feedback]:
    liked = [p.paper_id for p in HISTORY if topic_of(p.paper_id) == topic][:n]
    return [Feedback(paper, "up") for paper in liked]


def train(
    feedback: Sequence[Feedback],
    follows: Sequence[Follow] = (),
    background: Sequence[Candidate] = HISTORY,
    seed: int = 0,
    params: RecommendParams = DEFAULT_PARAMS,
) -> UserProfile:
    rng = random.Random(seed)
    return train_profile(feedback, BY_ID, follows, background, rng=rng, params=params)


def topics_of(recommendations: Sequence[Recommendation]) -> list[str]:
    return [topic_of(r.paper_id) for r in recommendations]


def test_recommend_likes_pull_similar_papers_up():
    profile = train(likes("speech"))
    assert profile.kind == "logistic"
    assert topics_of(recommend(profile, POOL, 8)) == ["speech"] * 8


def test_recommend_dislikes_push_papers_down():
    liked = likes("speech") + likes("robots")
    disliked = [Feedback(p.paper_id, "down") for p in HISTORY if topic_of(p.paper_id) == "robots"]
    before = score_pool(train(liked), POOL)
    after = score_pool(train(liked + disliked[5:]), POOL)
    robots = [i for i, c in enumerate(CANDIDATES) if topic_of(c.paper_id) == "robots"]
    speech = [i for i, c in enumerate(CANDIDATES) if topic_of(c.paper_id) == "speech"]
    assert after[robots].mean() < before[robots].mean()
    assert after[robots].mean() < after[speech].mean()


def test_recommend_reasons_name_the_nearest_liked_paper():
    feedback = likes("graphs", 4)
    best = recommend(train(feedback), POOL, 1)[0]
    vector = BY_ID[best.paper_id].vector
    similarity = {f.paper_id: float(BY_ID[f.paper_id].vector @ vector) for f in feedback}
    nearest = max(similarity, key=similarity.__getitem__)
    assert best.nearest[0][0] == nearest
    assert best.nearest[0][1] == pytest.approx(similarity[nearest], abs=1e-3)
    assert best.reasons[0].startswith(f"similar to {nearest}, which you liked (")
    assert best.terms and any(
        reason.startswith("shares terms you like: ") for reason in best.reasons
    )
    words = {word for term in best.terms for word in term.split()}  # unigrams and bigrams
    assert words <= set(BY_ID[best.paper_id].text.split())


def test_recommend_leaves_out_rated_and_excluded_papers():
    feedback = likes("speech", 3)
    rated_candidate = next(c.paper_id for c in CANDIDATES if topic_of(c.paper_id) == "speech")
    profile = train([*feedback, Feedback(rated_candidate, "up")])
    shown = [r.paper_id for r in recommend(profile, POOL, 30)]
    assert rated_candidate not in shown
    excluded = shown[:2]
    again = [r.paper_id for r in recommend(profile, POOL, 30, exclude=excluded)]
    assert not set(excluded) & set(again)
    assert again == [p for p in shown if p not in excluded][: len(again)]


def test_recommend_takes_a_plain_list_of_candidates():
    profile = train(likes("robots"))
    assert recommend(profile, CANDIDATES, 5) == recommend(profile, POOL, 5)
    assert recommend(profile, POOL, 0) == []


def test_describe_profile_shows_what_the_model_learned():
    feedback = [*likes("graphs"), Feedback(HISTORY[-1].paper_id, "down")]
    learned = describe_profile(train(feedback, follows=[Follow("author", "Ada Graph")]), n=5)
    assert learned.kind == "logistic"
    assert len(learned.positive_terms) == 5
    graph_words = set(" ".join(["graph neural network molecules message passing node"]).split())
    assert {t for t, _ in learned.positive_terms} & graph_words
    assert all(w > 0 for _, w in learned.positive_terms)
    assert learned.negative_terms and all(w < 0 for _, w in learned.negative_terms)
    assert learned.liked == tuple(f.paper_id for f in feedback[:5])
    assert learned.disliked == (HISTORY[-1].paper_id,)
    assert learned.follows == (Follow("author", "Ada Graph"),)


def test_reset_profile_empties_everything():
    profile = train(likes("graphs"), follows=[Follow("category", "cs.LG")])
    reset = reset_profile(profile)
    learned = describe_profile(reset)
    assert reset.is_empty and reset.dim == profile.dim
    assert learned.positive_terms == learned.negative_terms == ()
    assert learned.liked == learned.disliked == ()
    assert learned.follows == ()
    assert recommend(reset, POOL, 5) == []


def test_train_profile_without_anything_known_is_empty():
    assert train([]).is_empty
    assert train([Feedback("not-embedded", "up")]).is_empty
    assert train_profile([], {}).is_empty
    assert empty_profile(8).dim == 8


def test_cold_start_from_a_category_recommends_it():
    profile = train([], follows=[Follow("category", "eess.AS")])
    shown = recommend(profile, POOL, 10)
    assert topics_of(shown) == ["speech"] * 10
    assert "in eess.AS, which you follow" in shown[0].reasons


def test_cold_start_from_an_author_recommends_their_field():
    shown = recommend(train([], follows=[Follow("author", "rob ARM")]), POOL, 10)
    assert topics_of(shown) == ["robots"] * 10
    assert shown[0].follows == (Follow("author", "rob ARM"),)


def test_cold_start_from_an_organisation_recommends_its_papers():
    profile = train([], follows=[Follow("org", "sound-inc")])
    shown = recommend(profile, POOL, 10)
    assert topics_of(shown) == ["speech"] * 10
    assert shown[0].follows == (Follow("org", "sound-inc"),)
    assert "from the organisation sound-inc, which you follow" in shown[0].reasons
    other = recommend(train([], follows=[Follow("org", "sound")]), POOL, 10)  # slugs match whole
    assert all(r.follows == () for r in other)


def test_cold_start_from_a_keyword_boosts_papers_that_mention_it():
    profile = train([], follows=[Follow("keyword", "Phonemes")])
    shown = recommend(profile, POOL, 3)
    assert all("phonemes" in BY_ID[r.paper_id].text for r in shown)
    assert "mentions “Phonemes”, which you follow" in shown[0].reasons


def test_cold_start_from_seed_papers():
    seeds = [p.paper_id for p in HISTORY if topic_of(p.paper_id) == "graphs"][:2]
    shown = recommend(train(seed_feedback([*seeds, seeds[0]])), POOL, 5)
    assert topics_of(shown) == ["graphs"] * 5


def test_cold_start_from_a_bibtex_upload():
    graphs = [p for p in HISTORY if topic_of(p.paper_id) == "graphs"][:3]
    bibtex = "\n".join(
        f"@article{{k{i}, title = {{{p.text.title()}}}, year = 2024}}" for i, p in enumerate(graphs)
    )
    by_title = {title_key(p.text): p.paper_id for p in PAPERS}
    match = match_entries(parse_bibtex(bibtex), set(BY_ID), by_title)
    assert match.paper_ids == tuple(p.paper_id for p in graphs)
    shown = recommend(train(seed_feedback(match.paper_ids)), POOL, 5)
    assert topics_of(shown) == ["graphs"] * 5


def test_train_profile_is_deterministic_with_a_seeded_rng():
    params = RecommendParams(background_size=10)
    first = train(likes("speech"), seed=3, params=params)
    again = train(likes("speech"), seed=3, params=params)
    other = train(likes("speech"), seed=4, params=params)
    assert np.array_equal(first.embedding_weights, again.embedding_weights)
    assert first.term_weights == again.term_weights
    assert not np.array_equal(first.embedding_weights, other.embedding_weights)
    assert recommend(first, POOL, 10) == recommend(again, POOL, 10)


def test_train_profile_without_background_falls_back_to_the_centroid():
    profile = train(likes("robots"), background=())
    assert profile.kind == "centroid"
    assert topics_of(recommend(profile, POOL, 5)) == ["robots"] * 5
    disliked = train([Feedback(HISTORY[0].paper_id, "down")], background=())
    assert disliked.kind == "centroid"
    assert topic_of(recommend(disliked, POOL, 30)[-1].paper_id) == topic_of(HISTORY[0].paper_id)


def test_feedback_on_the_same_paper_adds_up():
    paper = HISTORY[0].paper_id
    cancelled = train([Feedback(paper, "upvote"), Feedback(paper, "down", 0.5)])
    assert cancelled.is_empty
    net = train([Feedback(paper, "up"), Feedback(paper, "bookmark"), Feedback(paper, "down")])
    assert net.liked == ((paper, 1.0),)


@pytest.mark.parametrize(
    ("signal", "weight"), [("love", 1.0), ("up", -1.0), ("up", float("nan")), ("up", float("inf"))]
)
def test_feedback_refuses_unknown_signals_and_bad_weights(signal, weight):
    with pytest.raises(InputError):
        Feedback("2401.00001", signal, weight)


def test_train_profile_refuses_unknown_follow_kinds():
    with pytest.raises(InputError, match="unknown follow kind"):
        train([], follows=[Follow("venue", "NeurIPS")])


def test_follows_without_a_model_rank_matches_first_in_candidate_order():
    profile = empty_profile(64, [Follow("category", "cs.RO")])
    shown = recommend(profile, POOL, 12)
    assert [r.paper_id for r in shown[:10]] == [
        c.paper_id for c in CANDIDATES if topic_of(c.paper_id) == "robots"
    ]
    assert shown[0].score == pytest.approx(RecommendParams().follow_boost)
    assert shown[0].nearest == ()
