"""Per-actor write rate limits: the limits table and `enforce`. The counting lives in the store
(`record_write`), so every worker process shares it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol

from papertide.errors import RateLimitError


class WriteLog(Protocol):
    """The part of the Store that counts writes (see Store.record_write)."""

    def record_write(self, actor: str, action: str, limit: int, window_s: int) -> int | None: ...


@dataclass(frozen=True, slots=True)
class RateLimits:
    """(limit, window_s) per action: at most `limit` writes in any `window_s` seconds.

    Actors are "user:<id>" for signed-in actions, "ip:<address>" for signup and login, and
    "account:<name as typed>" for login_account (attempts at one account from any address);
    account_link counts reset and email-change mails per "ip:..." and per "email:<address>".
    """

    vote: tuple[int, int] = (60, 60)
    comment: tuple[int, int] = (10, 60)
    submit: tuple[int, int] = (20, 86_400)
    bookmark: tuple[int, int] = (120, 60)
    follow: tuple[int, int] = (60, 60)
    signup: tuple[int, int] = (5, 3_600)
    login: tuple[int, int] = (20, 300)
    login_account: tuple[int, int] = (10, 900)
    account_link: tuple[int, int] = (5, 3_600)  # reset and email-change mails, per actor
    claim: tuple[int, int] = (20, 86_400)  # author claims (each one waits for a curator)

    def of(self, action: str) -> tuple[int, int]:
        """The (limit, window_s) of `action`; ValueError for an action with no limit."""
        if action not in {field.name for field in fields(self)}:
            raise ValueError(f"no rate limit for action {action!r}")
        limit: tuple[int, int] = getattr(self, action)
        return limit


DEFAULT_RATE_LIMITS = RateLimits()


def enforce(
    store: WriteLog, actor: str, action: str, limits: RateLimits = DEFAULT_RATE_LIMITS
) -> None:
    """Record one `action` by `actor`, or raise RateLimitError (with retry_after_s) when the
    actor already used up its limit for the window."""
    limit, window_s = limits.of(action)
    wait_s = store.record_write(actor, action, limit, window_s)
    if wait_s is not None:
        raise RateLimitError(
            f"too many {action} requests: at most {limit} per {describe_window(window_s)};"
            f" try again in {wait_s} s",
            wait_s,
        )


def describe_window(window_s: int) -> str:
    """A window in words: "minute", "5 minutes", "hour", "day" or "90 seconds"."""
    for unit_s, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if window_s % unit_s == 0:
            count = window_s // unit_s
            return unit if count == 1 else f"{count} {unit}s"
    return f"{window_s} seconds"
