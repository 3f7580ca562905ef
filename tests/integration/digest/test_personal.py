"""The recommender (rank/recommend.py) as the digests' personal ranking, over a real store
whose papers are embedded (HashEmbedder: papers sharing words get close vectors)."""

import logging
import re
from datetime import UTC, datetime

import pytest

from papertide.clock import FixedClock
from papertide.config import Settings
from papertide.digest.personal import RecommendRanker
from papertide.digest.send import RecordingMailer
from papertide.digest.service import PeriodRanker
from papertide.index.embed import HashEmbedder
from papertide.index.update import embed_missing
from papertide.models import Follow, Listing, Paper, Record
from papertide.rank.profile import RecommendParams
from papertide.store.sqlite import SqliteStore
from papertide.wiring import build_digests
from tests.integration.digest.conftest import BASE_URL, MONDAY, SECRET, SENDER

TOPICS = {
    "graph": "graph neural networks message passing over molecules and nodes",
    "speech": "speech recognition acoustic models audio transcription spoken words",
}


def topical(pid: str, topic: str, n: int) -> Paper:
    return Paper(
        id=pid,
        title=f"{topic.title()} study {n}",
        abstract=f"{TOPICS[topic]} part {n}.",
        categories=("cs.LG" if topic == "graph" else "cs.CL",),
        published=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def embedded(store: SqliteStore) -> HashEmbedder:
    """Two topics listed on Monday (2601.1xxxx graph, 2601.2xxxx speech) and older rated
    papers of both (2512.xxxxx), every paper embedded."""
    records = []
    for n in range(6):
        for base, topic in ((10000, "graph"), (20000, "speech")):
            pid = f"2601.{base + n:05d}"
            records.append(Record(topical(pid, topic, n), Listing(MONDAY, pid, n, upvotes=50)))
            records.append(Record(topical(f"2512.{base + n:05d}", topic, n)))
    store.write_batch(records, [])
    embedder = HashEmbedder()
    embed_missing(store, embedder)
    return embedder


def period_ranker(
    store: SqliteStore, embedder: HashEmbedder, params: RecommendParams | None = None
) -> PeriodRanker:
    ranker = RecommendRanker(store, embedder.name, embedder.dim, params or RecommendParams())
    return ranker.for_period(list(store.get_papers([p.id for _, p in listed(store)]).values()))


def listed(store: SqliteStore) -> list[tuple[Listing, Paper]]:
    return store.listings_between(MONDAY, MONDAY)


def test_recommend_ranker_ranks_the_liked_topic_first(store: SqliteStore, embedded: HashEmbedder):
    sub = store.add_subscription("ada@example.org", "daily", "personal")
    for n in range(3):
        store.set_rating(f"2512.{10000 + n:05d}", 1, "email", subscription_id=sub.id)
    store.set_rating("2512.20000", -1, "email", subscription_id=sub.id)
    ranked = period_ranker(store, embedded).rank(
        sub, store.ratings_of(subscription_id=sub.id), {"2601.10000"}, 4
    )
    assert ranked is not None and len(ranked) == 4
    assert all(r.paper_id.startswith("2601.1") for r in ranked)
    assert "2601.10000" not in {r.paper_id for r in ranked}
    assert any(reason.startswith("similar to 2512.1") for reason in ranked[0].reasons)


def test_recommend_ranker_knows_nothing_without_ratings_or_follows(
    store: SqliteStore, embedded: HashEmbedder
):
    sub = store.add_subscription("ada@example.org", "daily", "personal")
    assert period_ranker(store, embedded).rank(sub, [], set(), 10) is None


def test_recommend_ranker_uses_an_accounts_follows(store: SqliteStore, embedded: HashEmbedder):
    user = store.create_user("ada", "ada@example.org", "hash")
    store.set_follow(user.id, Follow("category", "cs.CL"), True)
    sub = store.add_subscription("ada@example.org", "daily", "personal", user_id=user.id)
    ranked = period_ranker(store, embedded).rank(sub, [], set(), 3)
    assert ranked is not None
    assert all(r.paper_id.startswith("2601.2") for r in ranked)


def test_recommend_ranker_without_vectors_stays_cold(store: SqliteStore, embedded: HashEmbedder):
    sub = store.add_subscription("ada@example.org", "daily", "personal")
    store.set_rating("2512.10000", 1, "email", subscription_id=sub.id)
    ranker = RecommendRanker(store, "no-such-model", embedded.dim)
    pool = ranker.for_period([p for _, p in listed(store)])
    assert pool.rank(sub, store.ratings_of(subscription_id=sub.id), set(), 5) is None


def test_recommend_ranker_falls_back_when_the_model_fails(
    store: SqliteStore, embedded: HashEmbedder, caplog: pytest.LogCaptureFixture
):
    sub = store.add_subscription("ada@example.org", "daily", "personal")
    store.set_rating("2512.10000", 1, "email", subscription_id=sub.id)
    ranker = period_ranker(store, embedded, RecommendParams(l2=0.0))  # the solver refuses 0
    with caplog.at_level(logging.WARNING, "papertide.digest"):
        assert ranker.rank(sub, store.ratings_of(subscription_id=sub.id), set(), 5) is None
    assert "personal ranking failed" in caplog.text


def test_digest_of_a_rater_has_papers_for_them_with_reasons(
    store: SqliteStore, clock: FixedClock, embedded: HashEmbedder
):
    mailer = RecordingMailer()
    settings = Settings(db=store.path, base_url=BASE_URL, mail_from=SENDER)
    # as `digest send` builds it: personal rankings over the embedder's stored vectors
    digests = build_digests(settings, store, clock, mailer, embedded, SECRET)
    sub = digests.subscribe("ada@example.org", content="both", confirmed=True)
    for n in range(3):
        store.set_rating(f"2512.{20000 + n:05d}", 1, "email", subscription_id=sub.id)
    digests.subscribe("cold@example.org", content="personal", confirmed=True)
    assert digests.send_due().sent == 2
    fan = mailer.to("ada@example.org")[0].text
    for_you = fan.split("FOR YOU")[1].split("TRENDING")[0]
    ids = re.findall(r"/papers/(2601\.\d{5})", for_you)
    assert len(ids) == 5 and all(pid.startswith("2601.2") for pid in ids)  # the liked topic
    assert "similar to 2512.2" in for_you
    assert "FOR YOU" not in mailer.to("cold@example.org")[0].text


def test_recommend_ranker_uses_a_followed_organisation(store: SqliteStore, embedded: HashEmbedder):
    for n in range(6):
        store.set_paper_org(f"2601.{10000 + n:05d}", "graph-lab", "Graph Lab", "huggingface")
    user = store.create_user("ada", "ada@example.org", "hash")
    store.set_follow(user.id, Follow("org", "graph-lab"), True)
    sub = store.add_subscription("ada@example.org", "daily", "personal", user_id=user.id)
    ranked = period_ranker(store, embedded).rank(sub, [], set(), 3)
    assert ranked is not None
    assert all(r.paper_id.startswith("2601.1") for r in ranked)
    assert "from the organisation graph-lab, which you follow" in ranked[0].reasons
