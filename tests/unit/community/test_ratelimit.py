"""The rate-limit table and `enforce`, over a write log that answers from a script."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from papertide.community.ratelimit import RateLimits, describe_window, enforce
from papertide.errors import RateLimitError


@dataclass
class ScriptedWriteLog:
    """Answers record_write with the waits it was given, in order; records every call."""

    answers: list[int | None]
    calls: list[tuple[str, str, int, int]] = field(default_factory=list)

    def record_write(self, actor: str, action: str, limit: int, window_s: int) -> int | None:
        self.calls.append((actor, action, limit, window_s))
        return self.answers.pop(0)


def test_rate_limits_defaults_match_the_documented_table():
    limits = RateLimits()
    assert limits.of("vote") == (60, 60)
    assert limits.of("comment") == (10, 60)
    assert limits.of("submit") == (20, 86_400)
    assert limits.of("bookmark") == (120, 60)
    assert limits.of("follow") == (60, 60)
    assert limits.of("signup") == (5, 3_600)
    assert limits.of("login") == (20, 300)


def test_rate_limits_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="no rate limit for action 'dance'"):
        RateLimits().of("dance")


def test_enforce_records_one_write_with_the_action_limits():
    log = ScriptedWriteLog([None])
    enforce(log, "user:7", "comment", RateLimits(comment=(2, 30)))
    assert log.calls == [("user:7", "comment", 2, 30)]


def test_enforce_raises_with_retry_after_when_the_log_is_full():
    log = ScriptedWriteLog([42])
    with pytest.raises(RateLimitError, match=r"at most 20 per 5 minutes; try again in 42 s") as hit:
        enforce(log, "ip:203.0.113.7", "login")
    assert hit.value.retry_after_s == 42


@pytest.mark.parametrize(
    ("window_s", "words"),
    [(60, "minute"), (300, "5 minutes"), (3_600, "hour"), (86_400, "day"), (90, "90 seconds")],
)
def test_describe_window_uses_the_largest_whole_unit(window_s, words):
    assert describe_window(window_s) == words
