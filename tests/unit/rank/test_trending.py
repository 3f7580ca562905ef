import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertide.models import PaperSignals
from papertide.rank.trending import (
    PART_NAMES,
    TrendingParams,
    age_decay,
    combine_parts,
    rank_trending,
)

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
# properties stay quick (unit tests) and never time out on a loaded machine
PROPERTY = settings(max_examples=50, deadline=None)


def signal(
    pid: str,
    *,
    cat: str | None = "cs.CV",
    age_h: float = 24.0,
    votes: int = 0,
    vote_ages_h: tuple[float, ...] = (),
    comments: int = 0,
) -> PaperSignals:
    times = tuple(NOW - timedelta(hours=h) for h in vote_ages_h)
    return PaperSignals(pid, cat, NOW - timedelta(hours=age_h), votes, times, comments)


def order(signals: list[PaperSignals], params: TrendingParams | None = None) -> list[str]:
    return [s.paper_id for s in rank_trending(signals, NOW, params or TrendingParams())]


def score_of(signals: list[PaperSignals], pid: str) -> float:
    return next(s.score for s in rank_trending(signals, NOW) if s.paper_id == pid)


hours = st.floats(min_value=0, max_value=200, allow_nan=False)
categories = st.sampled_from(["cs.CV", "cs.CL", "math.NT", None])
signals_st = st.builds(
    lambda n, cat, age, votes, vote_ages, comments: signal(
        f"p{n}", cat=cat, age_h=age, votes=votes, vote_ages_h=tuple(vote_ages), comments=comments
    ),
    st.integers(0, 10**6),
    categories,
    hours,
    st.integers(0, 60),
    st.lists(hours, max_size=8),
    st.integers(0, 10),
)
others_st = st.lists(signals_st, max_size=6)


def test_rank_trending_empty_input_returns_empty():
    assert rank_trending([], NOW) == []


def test_rank_trending_more_votes_ranks_higher():
    assert order([signal("few", votes=3), signal("many", votes=9)]) == ["many", "few"]


@PROPERTY
@given(others_st, st.integers(0, 40), st.integers(1, 40), hours, categories)
def test_rank_trending_more_votes_never_ranks_lower(others, votes, extra, age, cat):
    more = signal("more", cat=cat, age_h=age, votes=votes + extra)
    fewer = signal("fewer", cat=cat, age_h=age, votes=votes)
    ranked = order([*others, fewer, more])
    assert ranked.index("more") < ranked.index("fewer")


def test_rank_trending_newer_beats_older_at_equal_votes():
    assert order([signal("old", age_h=100, votes=5), signal("new", age_h=5, votes=5)]) == [
        "new",
        "old",
    ]
    # without any vote they tie on score: the newer one still comes first
    assert order([signal("old", age_h=100), signal("new", age_h=5)]) == ["new", "old"]


@PROPERTY
@given(others_st, st.integers(0, 40), hours, hours, categories)
def test_rank_trending_newer_never_ranks_below_older_at_equal_votes(others, votes, a, b, cat):
    new_h, old_h = sorted((a, b))
    new = signal("new", cat=cat, age_h=new_h, votes=votes, vote_ages_h=(1.0, 30.0))
    old = signal("old", cat=cat, age_h=old_h + 0.5, votes=votes, vote_ages_h=(1.0, 30.0))
    ranked = order([*others, old, new])
    assert ranked.index("new") < ranked.index("old")


def test_rank_trending_burst_of_recent_votes_beats_votes_spread_over_days():
    burst = signal("burst", age_h=120, vote_ages_h=tuple(0.2 * i for i in range(10)))
    spread = signal("spread", age_h=120, vote_ages_h=tuple(12.0 * i for i in range(10)))
    assert order([spread, burst]) == ["burst", "spread"]
    scores = {s.paper_id: dict(s.parts) for s in rank_trending([spread, burst], NOW)}
    assert scores["burst"]["votes"] == scores["spread"]["votes"] == 10
    assert scores["burst"]["velocity"] > scores["spread"]["velocity"]


@PROPERTY
@given(others_st, st.lists(hours, min_size=1, max_size=8), st.data())
def test_rank_trending_a_later_vote_never_lowers_a_score(others, vote_ages, data):
    index = data.draw(st.integers(0, len(vote_ages) - 1))
    sooner = data.draw(st.floats(0, vote_ages[index]))
    moved = [*vote_ages]
    moved[index] = sooner
    before = score_of([*others, signal("x", vote_ages_h=tuple(vote_ages))], "x")
    after = score_of([*others, signal("x", vote_ages_h=tuple(moved))], "x")
    assert after >= before * (1 - 1e-12)


@PROPERTY
@given(others_st, st.integers(0, 40), st.lists(hours, max_size=5), categories)
def test_rank_trending_an_extra_vote_never_lowers_a_score(others, votes, vote_ages, cat):
    base = signal("x", cat=cat, votes=votes, vote_ages_h=tuple(vote_ages))
    plus = signal("x", cat=cat, votes=votes, vote_ages_h=(*vote_ages, 50.0))
    assert score_of([*others, plus], "x") >= score_of([*others, base], "x") * (1 - 1e-12)


def test_rank_trending_comments_count_less_than_votes():
    voted = signal("voted", votes=4)
    discussed = signal("discussed", comments=4)
    silent = signal("silent")
    assert order([silent, discussed, voted]) == ["voted", "discussed", "silent"]


def test_rank_trending_top_of_small_category_surfaces_above_middle_of_large_one():
    large = [signal(f"cv{v}", cat="cs.CV", votes=v) for v in range(10, 50)]  # median 29
    small = [signal(f"nt{i}", cat="math.NT", votes=v) for i, v in enumerate([12, 2, 2, 1])]
    ranked = order([*large, *small])
    assert ranked.index("nt0") < ranked.index("cv30")
    # it is the category normalisation that lifts it: without it raw votes decide
    plain = order([*large, *small], TrendingParams(category_strength=0.0))
    assert plain.index("nt0") > plain.index("cv30")


def test_rank_trending_floor_keeps_one_vote_in_a_silent_category_from_winning():
    silent = [signal(f"s{i}", cat="math.NT") for i in range(10)]
    lone_vote = signal("one", cat="math.NT", votes=1)
    busy = [signal(f"cv{v}", cat="cs.CV", votes=v) for v in (5, 8, 20)]
    signals = [*silent, lone_vote, *busy]
    assert order(signals)[0] == "cv20"
    # the median of a silent category is 0: with (almost) no floor, 1 vote looks infinite
    assert order(signals, TrendingParams(category_floor=0.01))[0] == "one"


def test_rank_trending_lone_paper_is_not_its_own_yardstick():
    lone = signal("lone", cat="math.NT", votes=30)
    crowd = [signal(f"cv{i}", cat="cs.CV", votes=30) for i in range(5)]
    scores = {s.paper_id: s.score for s in rank_trending([lone, *crowd], NOW)}
    assert scores["lone"] > scores["cv0"]
    alone = TrendingParams(category_prior_papers=0)
    scores = {s.paper_id: s.score for s in rank_trending([lone, *crowd], NOW, alone)}
    assert scores["lone"] == pytest.approx(scores["cv0"])


def test_rank_trending_without_category_strength_leaves_scores_unnormalised():
    [only] = rank_trending([signal("a", votes=7)], NOW, TrendingParams(category_strength=0.0))
    assert dict(only.parts)["category_norm"] == 1.0


def test_rank_trending_is_deterministic_and_breaks_ties_by_recency_then_id():
    signals = [signal(f"p{i}", age_h=float(i % 3), votes=i % 4) for i in range(30)]
    signals += [signal("b", age_h=50), signal("a", age_h=50)]
    first = rank_trending(signals, NOW)
    shuffled = [*signals]
    random.Random(7).shuffle(shuffled)
    assert rank_trending(shuffled, NOW) == first
    assert [s.paper_id for s in first][-2:] == ["a", "b"]


def test_rank_trending_future_times_count_as_now():
    ahead = PaperSignals("a", None, NOW + timedelta(hours=5), 2, (NOW + timedelta(hours=1),), 0)
    at_now = PaperSignals("b", None, NOW, 2, (NOW,), 0)
    a, b = rank_trending([ahead, at_now], NOW)
    assert a.parts == b.parts


@PROPERTY
@given(st.lists(signals_st, max_size=10))
def test_trending_score_parts_reproduce_score_exactly(signals):
    for scored in rank_trending(signals, NOW):
        names = tuple(name for name, _ in scored.parts)
        assert names == PART_NAMES
        p = dict(scored.parts)
        expected = (
            (p["votes"] + p["velocity"] + p["comments"]) * p["age_decay"] * (p["category_norm"])
        )
        assert scored.score == expected == combine_parts(scored.parts)


def test_trending_parts_have_the_documented_values():
    params = TrendingParams()
    paper = signal("a", age_h=6.0, votes=4, vote_ages_h=(3.0,), comments=2)
    [scored] = rank_trending([paper], NOW, params)
    parts = dict(scored.parts)
    assert parts["votes"] == 5
    assert parts["velocity"] == pytest.approx(params.velocity_bonus * (4 * 2**-2.0 + 2**-1.0))
    assert parts["comments"] == pytest.approx(params.comment_weight * 2)
    assert parts["age_decay"] == pytest.approx((6.0 + 2.0) ** -params.gravity)
    activity = parts["votes"] + parts["velocity"] + parts["comments"]
    scale = (activity + params.category_floor) / 2  # median of the paper and one prior paper
    assert parts["category_norm"] == pytest.approx(scale**-params.category_strength)


def test_trending_params_defaults_are_the_tuned_ones():
    # bench/trending.py chose them on the first half of the Daily Papers archive
    assert TrendingParams() == TrendingParams(
        gravity=0.2,
        age_offset_h=2.0,
        velocity_bonus=2.0,
        velocity_half_life_h=3.0,
        comment_weight=0.25,
        category_strength=0.5,
        category_floor=3.0,
        category_prior_papers=1,
    )


def test_age_decay_follows_hacker_news_gravity():
    hn = TrendingParams(gravity=1.8)
    assert age_decay(22.0, hn) == pytest.approx(24.0**-1.8)
    assert age_decay(0.0, TrendingParams(gravity=0.0)) == 1.0


@pytest.mark.parametrize(
    "changes",
    [
        {"gravity": -0.1},
        {"comment_weight": -1.0},
        {"velocity_half_life_h": 0.0},
        {"category_floor": 0.0},
        {"category_strength": 1.5},
        {"category_prior_papers": -1},
    ],
)
def test_trending_params_reject_invalid_values(changes):
    with pytest.raises(ValueError, match="must be"):
        TrendingParams(**changes)
