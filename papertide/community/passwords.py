"""The password policy every new or changed password passes: check_password. Pure.

NIST SP 800-63B (5.1.1.2): at least 8 characters, long passphrases allowed, no composition
rules, and refuse passwords that are common, guessable or derived from the account's own
names. zxcvbn (Dropbox's estimator, https://github.com/dropbox/zxcvbn) ships the lists of
common passwords, words and names, and scores guessability with the username and email as
extra words.
"""

from __future__ import annotations

from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from papertide.errors import InputError

PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_CHARS = 1024
PASSWORD_MIN_SCORE = 2  # zxcvbn 0-4; 2: "somewhat guessable", about 10^8 guesses or more
ESTIMATED_CHARS = 72  # zxcvbn refuses longer input; a longer tail only adds strength


class WeakPasswordError(InputError):
    """A password the policy refuses; the message says why and what would do."""


def check_password(password: str, username: str = "", email: str | None = None) -> None:
    """Raise WeakPasswordError unless `password` is 8-1024 characters, not only whitespace,
    not the username or email (or its name part), and not easily guessed (zxcvbn score 2+,
    the username and email counted as known words)."""
    if not PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS:
        raise WeakPasswordError(
            f"a password is {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters long"
        )
    if not password.strip():
        raise WeakPasswordError("a password cannot be only spaces")
    own = _own_words(username, email)
    if password.strip().casefold() in own:
        raise WeakPasswordError("a password cannot be your username or email address")
    estimate = zxcvbn(password[:ESTIMATED_CHARS], user_inputs=sorted(own))
    if estimate["score"] < PASSWORD_MIN_SCORE:
        feedback = estimate["feedback"]
        why = feedback["warning"] or "this password is easy to guess"
        hint = " ".join(feedback["suggestions"]) or "Use a few uncommon words."
        raise WeakPasswordError(f"{why.rstrip('.')}. {hint}")


def _own_words(username: str, email: str | None) -> set[str]:
    words = {username.strip().casefold()} if username.strip() else set()
    if email and email.strip():
        address = email.strip().casefold()
        words |= {address, address.partition("@")[0]}
    return words
