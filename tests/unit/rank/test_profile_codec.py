"""Storing a trained profile: to a JSON-ready dict and back."""

import json

import numpy as np
import pytest

from papertide.errors import InputError
from papertide.models import Follow
from papertide.rank.profile_codec import profile_from_dict, profile_to_dict
from papertide.rank.recommend import (
    Feedback,
    describe_profile,
    empty_profile,
    prepare_candidates,
    recommend,
    train_profile,
)
from tests.unit.rank.papers import make_papers, split_papers

PAPERS = make_papers()
HISTORY, CANDIDATES = split_papers(PAPERS)


def test_profile_round_trips_through_json():
    feedback = [Feedback(HISTORY[0].paper_id, "up"), Feedback(HISTORY[-1].paper_id, "down")]
    follows = [Follow("keyword", "speech")]
    profile = train_profile(feedback, {p.paper_id: p for p in PAPERS}, follows, HISTORY)
    restored = profile_from_dict(json.loads(json.dumps(profile_to_dict(profile))))
    assert describe_profile(restored) == describe_profile(profile)
    assert np.allclose(restored.embedding_weights, profile.embedding_weights, atol=1e-3)
    assert restored.liked_vectors.shape == profile.liked_vectors.shape
    pool = prepare_candidates(CANDIDATES)
    assert [r.paper_id for r in recommend(restored, pool, 5)] == [
        r.paper_id for r in recommend(profile, pool, 5)
    ]


def test_empty_profile_round_trips():
    for dim in (0, 16):
        restored = profile_from_dict(profile_to_dict(empty_profile(dim)))
        assert restored.is_empty and restored.dim == dim


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"dim": "x"},
        {"liked": 3},
        {"embedding_weights": "not base64!"},
        {"kind": None},
    ],
)
def test_profile_from_dict_refuses_other_data(change):
    data = {**profile_to_dict(empty_profile(4)), **change}
    if change == {"kind": None}:
        del data["kind"]
    with pytest.raises(InputError):
        profile_from_dict(data)
