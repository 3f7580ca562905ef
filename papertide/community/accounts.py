"""Accounts: sign up, log in (argon2id), browser sessions and API tokens.

The store keeps only sha256 digests of session and API tokens, never the tokens themselves;
checks of usernames, passwords and emails are pure functions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from papertide.clock import Clock
from papertide.community.passwords import PASSWORD_MAX_CHARS, check_password
from papertide.community.tokens import EMAIL, RESET, AccountTokenError, AccountTokens, fingerprint
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
WRONG_PASSWORD = "that is not your current password"
SIGNUP_MODES = ("open", "invite", "closed")
INVITE_REQUIRED = "sign-up here needs an invite link from a curator"
SIGNUP_CLOSED = "sign-up is closed on this site; a curator can make you an account"


@dataclass(frozen=True, slots=True)
class SignupPolicy:
    """Who may create an account: `mode` is one of SIGNUP_MODES; `email_domains` (lower
    case), when any, are the domains an account's email must be at."""

    mode: str = "open"
    email_domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in SIGNUP_MODES:
            raise InputError(f"signup must be one of {', '.join(SIGNUP_MODES)}, not {self.mode!r}")

    @classmethod
    def of(cls, mode: str, domains: str) -> SignupPolicy:
        """A policy from the settings' text (domains comma-separated)."""
        found = (part.strip().lower().lstrip("@") for part in domains.split(","))
        return cls(mode.strip().lower(), tuple(domain for domain in found if domain))

    def check_email(self, email: str | None) -> None:
        """InputError unless the address is at an allowed domain (when domains are set)."""
        if not self.email_domains:
            return
        domain = (email or "").rpartition("@")[2].lower()
        if domain not in self.email_domains:
            allowed = ", ".join(self.email_domains)
            raise InputError(f"an account here needs an email address at {allowed}")


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

    def __init__(
        self,
        store: Store,
        clock: Clock,
        hasher: PasswordHasher | None = None,
        policy: SignupPolicy | None = None,
        secret_key: bytes = b"",
    ) -> None:
        self._store = store
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._decoy_hash: str | None = None
        self.policy = policy or SignupPolicy()
        self._tokens = AccountTokens(secret_key, clock) if secret_key else None

    def sign_up(
        self, username: str, password: str, email: str | None = None, invite: str = ""
    ) -> User:
        """A new user (the store's first one is admin, whatever the policy). InputError,
        ConflictError, or AuthError when the policy refuses (no valid invite, closed)."""
        name, address = check_username(username), check_email(email)
        check_password(password, name, address)
        first = not self._store.find_users("", 1)
        if not first:
            self.policy.check_email(address)
            if self.policy.mode == "closed":
                raise AuthError(SIGNUP_CLOSED)
        invite_hash = hash_token(invite.strip()) if invite.strip() else ""
        if not first and self.policy.mode == "invite":
            found = self._store.invite_for(invite_hash) if invite_hash else None
            if found is None or not found.is_usable(self._clock.now()):
                raise AuthError(INVITE_REQUIRED)
        return self._create(name, address, password, invite_hash if not first else "")

    def add_user(self, username: str, password: str, email: str | None = None) -> User:
        """A new user made by a curator (no sign-up policy applies). InputError or
        ConflictError."""
        name, address = check_username(username), check_email(email)
        check_password(password, name, address)
        return self._create(name, address, password, "")

    def signup_refusal(self, invite: str = "") -> str | None:
        """Why the sign-up form is not offered (closed, or invite-only without a usable
        invite), None when it is; the store's first account may always sign up."""
        if self.policy.mode == "open" or not self._store.find_users("", 1):
            return None
        if self.policy.mode == "closed":
            return SIGNUP_CLOSED
        return None if self.invite_is_usable(invite) else INVITE_REQUIRED

    def invite_is_usable(self, invite: str) -> bool:
        found = self._store.invite_for(hash_token(invite.strip())) if invite.strip() else None
        return found is not None and found.is_usable(self._clock.now())

    def _create(self, name: str, email: str | None, password: str, invite_hash: str) -> User:
        """Create the user; with an invite, count its use, and undo the sign-up when another
        sign-up took the invite's last use meanwhile."""
        user = self._store.create_user(name, email, self._hasher.hash(password))
        redeem = invite_hash and self.policy.mode == "invite" and not user.is_admin
        if redeem and not self._store.redeem_invite(invite_hash):
            self._store.delete_user(user.id)
            raise AuthError(INVITE_REQUIRED)
        return user

    def check_sign_up(self, username: str, password: str, email: str | None) -> None:
        """What open_sign_up would refuse, without creating anything: InputError (a bad name,
        email or password, an address outside signup_email_domains) or ConflictError (the
        username is taken; usernames are public)."""
        name, address = check_username(username), check_email(email)
        check_password(password, name, address)
        if self._store.find_users("", 1):
            self.policy.check_email(address)
        if self._store.user_login(name) is not None:
            raise ConflictError("username taken")

    def open_sign_up(
        self, username: str, password: str, email: str | None, invite: str = ""
    ) -> tuple[User, str | None]:
        """Sign-up on the open site, which must not tell whether an email is registered: the
        user, and the address when another account has it (then the new account gets no
        email; the caller tells the address's owner by email instead)."""
        address = check_email(email)
        taken = address if address and self._store.user_login(address) else None
        user = self.sign_up(username, password, None if taken else address, invite)
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
        if user.suspended_at is not None:
            raise AuthError("this account is suspended; ask a curator")
        if self._hasher.check_needs_rehash(stored):
            self._store.set_password_hash(user.id, self._hasher.hash(password))
        return user

    def change_password(self, user: User, current: str, new: str) -> None:
        """Set a new password (the current one must be given, else AuthError); every session
        of the user ends (the caller opens a fresh one)."""
        self._check_current(user, current)
        check_password(new)
        self._store.set_password_hash(user.id, self._hasher.hash(new))
        self._store.delete_sessions(user.id)

    def reset_link_token(self, email: str) -> tuple[User, str] | None:
        """A password-reset token for the account with this email, or None when there is no
        such (active) account; the caller answers the same either way."""
        address = email.strip()
        found = self._store.user_login(address) if address else None
        if found is None:
            return None
        user, stored = found
        if (user.email or "").lower() != address.lower() or user.suspended_at is not None:
            return None
        return user, self._account_tokens().make(RESET, user.id, fingerprint(stored))

    def reset_user(self, token: str) -> User:
        """The user a reset token is for; AccountTokenError when it is invalid, expired or
        used (the password changed since)."""
        claims = self._account_tokens().read(RESET, token)
        user = self._store.user_by_id(claims.user_id)
        found = self._store.user_login(user.username) if user else None
        if found is None or fingerprint(found[1]) != claims.bound or found[0].suspended_at:
            raise AccountTokenError("this link was used already or is no longer valid")
        return found[0]

    def reset_password(self, token: str, new: str) -> User:
        """Set a new password from a reset link; every session of the user ends."""
        user = self.reset_user(token)
        check_password(new)
        self._store.set_password_hash(user.id, self._hasher.hash(new))
        self._store.delete_sessions(user.id)
        return user

    def email_change_token(self, user: User, password: str, new_email: str) -> tuple[str, str]:
        """(new address, token) for the confirmation link sent to the new address; the
        password must be given, the address allowed (signup_email_domains) and new."""
        self._check_current(user, password)
        address = check_email(new_email)
        if address is None:
            raise InputError("give the new email address")
        self.policy.check_email(address)
        token = self._account_tokens().make(EMAIL, user.id, fingerprint(user.email), address)
        return address, token

    def confirm_email_change(self, token: str) -> User:
        """Set the email an email-change link carries; AccountTokenError when invalid,
        expired or used; ConflictError when another account took the address meanwhile."""
        claims = self._account_tokens().read(EMAIL, token)
        user = self._store.user_by_id(claims.user_id)
        if user is None or fingerprint(user.email) != claims.bound:
            raise AccountTokenError("this link was used already or is no longer valid")
        self._store.set_email(user.id, claims.value)
        self._store.confirm_email(user.id, claims.value)
        return self._store.user_by_id(user.id) or user

    def confirm_link_token(self, user: User) -> str:
        """A token for the link that confirms the user's current email (the same link as an
        email change to that address); InputError when the account has no email."""
        if not user.email:
            raise InputError("this account has no email address to confirm")
        return self._account_tokens().make(EMAIL, user.id, fingerprint(user.email), user.email)

    def delete_account(self, user: User, password: str) -> None:
        """Delete the user and everything it made (see AdminStore.delete_user); the password
        must be given."""
        self._check_current(user, password)
        self._store.delete_user(user.id)

    def export(self, user: User) -> dict[str, Any]:
        """Everything stored about the user, as JSON-ready values (never password hashes or
        tokens)."""
        store = self._store
        return {
            "profile": {
                "username": user.username,
                "email": user.email,
                "curator": user.is_admin,
                "created_at": user.created_at.isoformat(),
                "reply_emails": store.reply_emails_on(user.id),
            },
            "votes": [{"paper": pid, "at": at.isoformat()} for pid, at in store.votes_of(user.id)],
            "ratings": [
                {"paper": r.paper_id, "value": r.value, "source": r.source, "at": r.at.isoformat()}
                for r in store.ratings_of(user_id=user.id)
            ],
            "comments": [
                {"id": c.id, "paper": c.paper_id, "body": c.body, "at": c.created_at.isoformat()}
                for c in store.comments_of(user.id)
            ],
            "collections": [
                {
                    "name": found.name,
                    "papers": [paper.id for paper in store.collection_papers(user.id, found.id)],
                }
                for found in store.collections_of(user.id)
            ],
            "follows": [{"kind": f.kind, "value": f.value} for f in store.follows_of(user.id)],
            "subscriptions": [
                {
                    "email": sub.email,
                    "cadence": sub.cadence,
                    "content": sub.content,
                    "state": sub.state,
                    "created_at": sub.created_at.isoformat(),
                }
                for sub in store.subscriptions_of_user(user.id)
            ],
            "api_tokens": [
                {"name": token.name, "created_at": token.created_at.isoformat()}
                for token in store.api_tokens_of(user.id)
            ],
            "author_claims": [
                {
                    "paper": c.paper_id,
                    "author": c.author_name,
                    "state": c.state,
                    "at": c.created_at.isoformat(),
                }
                for c in store.claims_of(user.id)
            ],
        }

    def _check_current(self, user: User, password: str) -> None:
        found = self._store.user_login(user.username)
        if found is None or not self._verify(found[1], password):
            raise AuthError(WRONG_PASSWORD)

    def _account_tokens(self) -> AccountTokens:
        if self._tokens is None:
            raise InputError("account links need a secret key (setting secret_key)")
        return self._tokens

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
