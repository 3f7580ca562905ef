"""Accounts: sign up, log in (argon2id), browser sessions and API tokens.

The store keeps only sha256 digests of session and API tokens, never the tokens themselves;
checks of usernames, passwords and emails are pure functions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from papertide.clock import Clock
from papertide.community.passwords import PASSWORD_MAX_CHARS, check_password
from papertide.errors import AuthError, ConflictError, InputError
from papertide.models import ApiTokenInfo, User
from papertide.store.base import Store

USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,32}")
EMAIL_MAX_CHARS = 254  # the longest forward path SMTP carries (RFC 5321, 4.5.3.1.3)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
SESSION_TTL_S = 30 * 86_400
API_TOKEN_PREFIX = "pt_"
TOKEN_NAME_MAX_CHARS = 100
WRONG_LOGIN = "wrong username or password"


def check_username(username: str) -> str:
    """The username without surrounding spaces; InputError unless 3-32 of [A-Za-z0-9_.-]."""
    name = username.strip()
    if not USERNAME_RE.fullmatch(name):
        raise InputError("a username is 3 to 32 characters: letters, digits, '_', '.' or '-'")
    return name


def check_email(email: str | None) -> str | None:
    """The email without surrounding spaces, None when blank; InputError unless it looks like
    name@domain.tld (whether it exists is not checked)."""
    if email is None or not email.strip():
        return None
    address = email.strip()
    if len(address) > EMAIL_MAX_CHARS or not _EMAIL_RE.fullmatch(address):
        raise InputError(f"not an email address: {address[:80]!r}")
    return address


def hash_token(token: str) -> str:
    """The stored form of a session or API token: its sha256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService:
    """Users and their credentials. `hasher` defaults to argon2-cffi's recommended argon2id
    parameters; tests pass cheaper ones."""

    def __init__(self, store: Store, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._decoy_hash: str | None = None

    def sign_up(self, username: str, password: str, email: str | None = None) -> User:
        """A new user (the store's first one is admin). InputError or ConflictError."""
        name, address = check_username(username), check_email(email)
        check_password(password, name, address)
        return self._store.create_user(name, address, self._hasher.hash(password))

    def check_sign_up(self, username: str, password: str, email: str | None) -> None:
        """What open_sign_up would refuse, without creating anything: InputError (a bad name,
        email or password) or ConflictError (the username is taken; usernames are public)."""
        name, address = check_username(username), check_email(email)
        check_password(password, name, address)
        if self._store.user_login(name) is not None:
            raise ConflictError("username taken")

    def open_sign_up(
        self, username: str, password: str, email: str | None
    ) -> tuple[User, str | None]:
        """Sign-up on the open site, which must not tell whether an email is registered: the
        user, and the address when another account has it (then the new account gets no
        email; the caller tells the address's owner by email instead)."""
        address = check_email(email)
        taken = address if address and self._store.user_login(address) else None
        user = self.sign_up(username, password, None if taken else address)
        return user, taken

    def log_in(self, name_or_email: str, password: str) -> User:
        """The user with these credentials, else AuthError (the same for an unknown user).

        A stored hash made with older argon2 parameters is replaced by a fresh one.
        """
        if len(password) > PASSWORD_MAX_CHARS:
            raise AuthError(WRONG_LOGIN)
        found = self._store.user_login(name_or_email.strip())
        if found is None:
            self._verify(self._decoy(), password)  # the same work, so timing tells nothing
            raise AuthError(WRONG_LOGIN)
        user, stored = found
        if not self._verify(stored, password):
            raise AuthError(WRONG_LOGIN)
        if self._hasher.check_needs_rehash(stored):
            self._store.set_password_hash(user.id, self._hasher.hash(password))
        return user

    def open_session(self, user: User) -> str:
        """A new session token for a cookie; valid for SESSION_TTL_S."""
        token = secrets.token_urlsafe(32)
        expires_at = self._clock.now() + timedelta(seconds=SESSION_TTL_S)
        self._store.save_session(hash_token(token), user.id, expires_at)
        return token

    def user_for_session(self, token: str) -> User | None:
        return self._store.session_user(hash_token(token)) if token else None

    def close_session(self, token: str) -> None:
        self._store.delete_session(hash_token(token))

    def create_api_token(self, user: User, name: str) -> str:
        """A new API token ("pt_..."), shown once: only its digest is stored."""
        label = name.strip()
        if not 1 <= len(label) <= TOKEN_NAME_MAX_CHARS:
            raise InputError(f"a token name is 1 to {TOKEN_NAME_MAX_CHARS} characters")
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._store.save_api_token(hash_token(token), user.id, label)
        return token

    def user_for_api_token(self, token: str) -> User | None:
        if not token.startswith(API_TOKEN_PREFIX):
            return None
        return self._store.api_token_user(hash_token(token))

    def api_tokens(self, user: User) -> list[ApiTokenInfo]:
        """The user's API tokens (names, dates, ids; never the tokens), oldest first."""
        return self._store.api_tokens_of(user.id)

    def revoke_api_token(self, user: User, token_id: str) -> bool:
        """Revoke one of the user's tokens by its id; False when the user has no such token."""
        return self._store.revoke_api_token(user.id, token_id.strip().lower())

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._decoy_hash
