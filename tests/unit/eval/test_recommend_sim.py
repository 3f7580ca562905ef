"""The recommendation benchmark's pure parts: simulated users, digests, precision, report."""

from datetime import UTC, date, datetime

import pytest

from papertide.errors import InputError
from papertide.eval.recommend import (
    SvmDigest,
    TrendingDigest,
    make_periods,
    month_end,
    precision_at_k,
    run_recommend_eval,
)
from papertide.eval.recommend_data import DEV, DISLIKES, LIKES, TEST, ArchivePaper, simulate
from papertide.eval.recommend_report import RankerScores, gain, summarise

TOPIC_WORDS = {"cs.CV": "image pixels segmentation", "cs.CL": "language tokens parsing"}


def archive(months: int = 4, per_topic: int = 12) -> list[ArchivePaper]:
    papers = []
    for m in range(months):
        for topic, words in TOPIC_WORDS.items():
            for n in range(per_topic):
                papers.append(
                    ArchivePaper(
                        id=f"{m}-{topic}-{n}",
                        title=f"{words} {n}",
                        abstract=f"We study {words} with method {n}.",
                        authors=("A",),
                        categories=(topic, "cs.AI") if n % 3 == 0 else (topic,),
                        listed_on=date(2025, m + 1, 1 + n),
                        upvotes=n,
                        comments=0,
                    )
                )
    return papers


def test_simulate_splits_months_in_half_and_samples_users_within_a_topic():
    sim = simulate(archive(), min_month_papers=20, min_topic_papers=9, users_per_topic=3)
    assert sim.dev_months == ("2025-01", "2025-02") and sim.test_months == ("2025-03", "2025-04")
    by_id = sim.by_id()
    assert {(u.split, u.month, u.topic) for u in sim.users} == {
        (DEV, "2025-01", "cs.CL"),
        (DEV, "2025-01", "cs.CV"),
        (TEST, "2025-03", "cs.CL"),
        (TEST, "2025-03", "cs.CV"),
    }  # fmt: skip  (cs.AI has 4 papers a month, below the minimum)
    assert len(sim.users) == 12
    for user in sim.users:
        assert LIKES[0] <= len(user.likes) <= min(LIKES[1], 12)
        assert len(user.dislikes) <= DISLIKES[1]
        assert all(user.topic in by_id[p].categories and by_id[p].month == user.month
                   for p in user.likes)  # fmt: skip
        assert all(user.topic not in by_id[p].categories for p in user.dislikes)
        assert user.relevant == {
            p.id for p in sim.papers[user.next_month] if user.topic in p.categories
        }
    again = simulate(archive(), min_month_papers=20, min_topic_papers=9, users_per_topic=3)
    assert again == sim


def test_simulate_refuses_too_few_months():
    with pytest.raises(InputError, match="need 4 months"):
        simulate(archive(months=3), min_month_papers=20)


def test_precision_at_k_counts_relevant_papers_over_k():
    user = simulate(archive(), min_month_papers=20, min_topic_papers=9).users[0]
    relevant = sorted(user.relevant)
    assert precision_at_k([relevant[0], "x", relevant[1]], user, 10) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="repeats papers"):
        precision_at_k(["x", "x"], user, 10)


def test_month_end_rolls_over_the_year():
    assert month_end("2025-12") == datetime(2026, 1, 1, tzinfo=UTC)
    assert month_end("2026-02") == datetime(2026, 3, 1, tzinfo=UTC)


def test_trending_and_svm_digests_rank_the_next_months_papers():
    sim = simulate(archive(), min_month_papers=20, min_topic_papers=9, users_per_topic=1)
    periods = make_periods(sim)
    user = next(u for u in sim.users if u.topic == "cs.CV")
    period = periods[user.month]
    trending = TrendingDigest().rank(user, period, 5)
    assert all(p.startswith("1-") for p in trending)
    assert [int(p.rsplit("-", 1)[1]) for p in trending][:2] == [11, 11]  # most upvoted first
    personal = SvmDigest().rank(user, period, 10)
    assert all(p in user.relevant for p in personal)
    report = run_recommend_eval(sim, [TrendingDigest(), SvmDigest()])
    assert report.rows[1].dev == 1.0 and report.rows[0].dev == pytest.approx(0.5)


def test_summarise_compares_papertide_with_the_best_baseline():
    sim = simulate(archive(), min_month_papers=20, min_topic_papers=9, users_per_topic=2)
    n = len(sim.users)
    rows = (
        RankerScores("trending only", (0.2,) * n, 0.0),
        RankerScores("tf-idf SVM (arxiv-sanity style)", (0.5,) * n, 1.0),
        RankerScores("papertide", (0.7,) * n, 2.0),
    )
    report = summarise(sim, rows, 10)
    assert report.users == {DEV: 4, TEST: 4}
    (found,) = report.gains
    assert found.baseline == "tf-idf SVM (arxiv-sanity style)"
    assert found.difference == pytest.approx(0.2)
    assert found.low == pytest.approx(0.2) and found.high == pytest.approx(0.2) and found.holds
    assert report.figure_holds
    assert "papertide - tf-idf SVM (arxiv-sanity style) on test: +0.200" in report.summary()
    assert report.to_dict()["figure_holds"] is True
    assert '"k": 10' in report.to_json()


def test_gain_resamples_whole_topic_month_groups():
    sim = simulate(archive(), min_month_papers=20, min_topic_papers=9, users_per_topic=2)
    ours = tuple(1.0 if u.topic == "cs.CV" else 0.0 for u in sim.users)
    found = gain(RankerScores("ours", ours, 0), RankerScores("base", (0.5,) * len(ours), 0),
                 sim.users)  # fmt: skip
    assert found.difference == 0.0
    assert found.low == pytest.approx(-0.5) and found.high == pytest.approx(0.5)
    assert not found.holds
