"""CommunityService against a real SQLite store: votes, comments, submissions, bookmarks,
follows, and the per-user rate limits every write takes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from papertide.community.actions import CommunityService
from papertide.community.ratelimit import RateLimits
from papertide.community.submissions import FAILED, LISTED
from papertide.errors import (
    AuthError,
    ConflictError,
    InputError,
    PaperNotFoundError,
    RateLimitError,
)
from papertide.models import Follow, Listing, Paper, Record
from tests.integration.community.conftest import NOW, finished, make_paper, store_papers

PID = "2603.00001"


def test_vote_accepts_urls_and_versions_and_is_idempotent(community, store, people):
    store_papers(store, [PID])
    ada, bob = people[1], people[2]
    assert community.vote(ada, f"https://arxiv.org/abs/{PID}v2", True).upvotes == 1
    assert community.vote(ada, PID, True).upvotes == 1
    state = community.vote(bob, f"arXiv:{PID}", True)
    assert (state.paper_id, state.upvotes, state.voted) == (PID, 2, True)
    assert community.vote(ada, PID, False).upvotes == 1
    with pytest.raises(PaperNotFoundError):
        community.vote(ada, "2603.99999", True)
    with pytest.raises(InputError):
        community.vote(ada, "not a paper", True)


def test_vote_rate_limited_per_user_with_retry_after(store, clock, fetcher, people):
    store_papers(store, [PID])
    ada, bob = people[1], people[2]
    service = CommunityService(store, clock, fetcher, RateLimits(vote=(3, 60)))
    for up in (True, False, True):
        service.vote(ada, PID, up)
    with pytest.raises(RateLimitError) as hit:
        service.vote(ada, PID, False)
    assert hit.value.retry_after_s == 60
    assert service.vote(bob, PID, True).upvotes == 2  # other users are not held back
    clock.current += timedelta(seconds=60)
    assert service.vote(ada, PID, False).upvotes == 1


def test_comment_stripped_and_length_checked(community, store, people):
    store_papers(store, [PID])
    ada = people[1]
    comment = community.comment(ada, PID, "  Nice *result*  \n")
    assert (comment.body, comment.username, comment.created_at) == ("Nice *result*", "ada", NOW)
    assert community.comment(ada, PID, "x" * 10_000).body == "x" * 10_000
    for bad in (" \n ", "x" * 10_001):
        with pytest.raises(InputError, match="1 to 10,000 characters"):
            community.comment(ada, PID, bad)
    assert len(store.comments_for(PID)) == 2


def test_delete_comment_by_author_or_admin_only(community, store, people):
    store_papers(store, [PID])
    admin, ada, bob = people
    first = community.comment(ada, PID, "first")
    second = community.comment(ada, PID, "second")
    with pytest.raises(AuthError, match="author or an admin"):
        community.delete_comment(bob, first.id)
    community.delete_comment(ada, first.id)
    community.delete_comment(admin, second.id)
    assert store.comments_for(PID) == []
    with pytest.raises(InputError, match=f"no comment {first.id}"):
        community.delete_comment(ada, first.id)


def test_submit_fetches_an_unknown_paper_and_lists_it_today(community, store, fetcher, people):
    ada = people[1]
    fetcher.papers["1605.08386"] = make_paper("1605.08386", title="Heat-bath random walks")
    job = finished(community, ada, "https://arxiv.org/abs/1605.08386v1")
    assert (job.paper_id, job.state) == ("1605.08386", LISTED)
    assert fetcher.calls == [["1605.08386"]]
    [(stored, paper)] = store.listings_for(NOW.date())
    listing = Listing(NOW.date(), "1605.08386", 0, "ada", NOW)
    assert (stored, paper.title) == (listing, "Heat-bath random walks")


def test_submit_a_stored_paper_without_fetching_after_the_day_s_last(
    community, store, fetcher, people
):
    store_papers(store, [PID, "2603.00002"])
    store.add_listing(Listing(NOW.date(), "2603.00002", 4))
    listing = community.submit(people[1], PID)
    assert (listing.position, fetcher.calls) == (5, [])


def test_submit_twice_on_one_day_is_a_conflict_without_a_fetch(community, store, fetcher, people):
    store_papers(store, [PID])
    community.submit(people[1], PID)
    with pytest.raises(ConflictError, match="already on today's page"):
        community.submit(people[2], f"arXiv:{PID}")
    assert fetcher.calls == []


def test_submit_unknown_to_arxiv_or_not_an_id(community, fetcher, people):
    job = finished(community, people[1], "2603.99999")
    assert job.state == FAILED and job.message == "arXiv has no paper 2603.99999"
    assert isinstance(job.error, PaperNotFoundError)
    assert fetcher.calls == [["2603.99999"]]
    with pytest.raises(InputError, match="not an arXiv id"):
        community.submit(people[1], "my favourite paper")


def test_submit_loses_a_race_with_a_conflict(store, clock, people):
    """Another request lists the paper while this one's job fetches it: add_listing decides,
    and the submission ends listed (by bob), as asked."""

    def fetch_while_bob_submits(ids: list[str]) -> list[Paper]:
        papers = [make_paper(pid) for pid in ids]
        store.write_batch([Record(papers[0], Listing(NOW.date(), ids[0], 0, "bob"))], [])
        return papers

    service = CommunityService(store, clock, fetch_while_bob_submits)
    assert finished(service, people[1], PID).state == LISTED
    [(listing, _)] = store.listings_for(NOW.date())
    assert listing.submitted_by == "bob"


def test_bookmark_default_collection_on_and_off(community, store, people):
    store_papers(store, [PID, "2603.00002"])
    ada = people[1]
    community.bookmark(ada, PID)
    community.bookmark(ada, PID)
    community.bookmark(ada, "2603.00002", collection="Theory")
    [reading, theory] = store.collections_of(ada.id)
    assert (reading.name, reading.size, theory.name) == ("Reading list", 1, "Theory")
    community.bookmark(ada, PID, collection="reading list", on=False)
    community.bookmark(ada, PID, collection="No such list", on=False)
    assert store.bookmarked(ada.id, [PID, "2603.00002"]) == {"2603.00002"}
    with pytest.raises(InputError, match="collection name"):
        community.bookmark(ada, PID, collection=" ")
    with pytest.raises(PaperNotFoundError):
        community.bookmark(ada, "2603.99999")


def test_follow_checks_kind_and_normalises_spaces(community, store, people):
    ada = people[1]
    community.follow(ada, Follow("author", "  Ada   Lovelace "), True)
    community.follow(ada, Follow("keyword", "diffusion"), True)
    community.follow(ada, Follow("keyword", "diffusion"), False)
    assert store.follows_of(ada.id) == [Follow("author", "Ada Lovelace")]
    with pytest.raises(InputError, match="can follow only author, category, keyword"):
        community.follow(ada, Follow("planet", "Mars"), True)
    with pytest.raises(InputError, match="1 to 200 characters"):
        community.follow(ada, Follow("keyword", "  "), True)


def test_every_write_takes_a_slot_of_its_own_action(store, clock, fetcher, people):
    store_papers(store, [PID])
    ada = people[1]
    one_each = RateLimits(comment=(1, 60), submit=(1, 60), bookmark=(1, 60), follow=(1, 60))
    service = CommunityService(store, clock, fetcher, one_each)
    service.comment(ada, PID, "once")
    service.submit(ada, PID)
    service.bookmark(ada, PID)
    service.follow(ada, Follow("category", "cs.LG"), True)
    attempts: list[Callable[[], object]] = [
        lambda: service.comment(ada, PID, "twice"),
        lambda: service.submit(ada, "2603.00002"),
        lambda: service.bookmark(ada, PID, on=False),
        lambda: service.follow(ada, Follow("category", "cs.LG"), False),
    ]
    for attempt in attempts:
        with pytest.raises(RateLimitError):
            attempt()
