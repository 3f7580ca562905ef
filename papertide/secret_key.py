"""The key that signs session cookies, CSRF tokens and digest links: settings.secret_key, else
a key file made on first use and shared by every worker on this host."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from papertide.config import POSTGRES_NEEDS_INDEX_DIR, Settings, is_postgres_url, sqlite_path
from papertide.errors import InputError, StoreError

SECRET_KEY_BYTES = 32


def load_secret_key(settings: Settings) -> bytes:
    """settings.secret_key; else a key file created on first use (mode 0600) and shared by
    every worker on this host: `<db>.secret` beside a SQLite database, `<index_dir>/secret`
    for PostgreSQL (InputError without index_dir); for ":memory:" a key for this process."""
    if settings.secret_key:
        return settings.secret_key.encode()
    if is_postgres_url(settings.db):
        if not settings.index_dir:
            raise InputError(POSTGRES_NEEDS_INDEX_DIR)
        folder = Path(settings.index_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return _secret_file(folder / "secret")
    path = sqlite_path(settings.db)
    if path == ":memory:":
        return secrets.token_bytes(SECRET_KEY_BYTES)
    return _secret_file(Path(f"{path}.secret"))


def _secret_file(path: Path) -> bytes:
    """Read the key file, or create it atomically (written aside, then linked into place, so
    a worker never reads half a file and two workers never keep different keys)."""
    if not path.exists():
        key = secrets.token_bytes(SECRET_KEY_BYTES)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key.hex() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            draft.unlink()
    text = path.read_text().strip()
    try:
        bytes.fromhex(text)
    except ValueError:
        raise StoreError(f"{path} does not hold a hex key; delete it to make a new one") from None
    # the text is the key, as secret_key's is: the file's contents pasted into
    # PAPERTIDE_SECRET_KEY on another host sign alike
    return text.encode()
