"""Settings and where they come from: environment (PAPERTIDE_*) over a TOML file (`--config`
or PAPERTIDE_CONFIG) over defaults.

No module-level instance: call load_settings() where settings are needed (the CLI does, once
per command; so does each web worker).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from papertide.errors import InputError

DEFAULT_DB = "papertide.db"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_HF_URL = "https://huggingface.co/api/daily_papers"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting; each is documented in docs/settings.md (a test checks)."""

    db: str = DEFAULT_DB
    db_replica: str = ""  # postgresql:// URL of a read replica of db; empty: none
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    oai_url: str = DEFAULT_OAI_URL
    hf_daily_url: str = DEFAULT_HF_URL
    arxiv_delay_s: float = 3.0
    http_timeout_s: float = 30.0
    http_retries: int = 4
    similar_embedder: str = "auto"  # auto | static | contextual (see wiring.build_paper_space)
    # empty: generated once and kept in <db>.secret or <index_dir>/secret (see secret_key.py)
    secret_key: str = ""
    index_dir: str = ""  # search index folders; empty: beside the SQLite file; PostgreSQL needs one
    smtp_host: str = ""  # empty: no mail server, digests cannot be sent (docs/digest.md)
    smtp_port: int = 0  # 0: the TLS mode's port (25 none, 587 starttls, 465 ssl)
    smtp_user: str = ""  # empty: no SMTP AUTH
    smtp_password: str = ""
    smtp_tls: str = "starttls"  # none | starttls | ssl
    smtp_timeout_s: float = 30.0
    smtp_connections: int = 4  # SMTP connections a digest run sends over at once
    mail_from: str = "papertide <digest@localhost>"
    reply_email_interval_min: int = 30  # at most one reply email per user in this time
    # where links in feeds and emails point; empty: what `serve` listens on (public_url)
    base_url: str = ""
    # proxies whose X-Forwarded-For/-Proto serve believes (comma-separated IPs or networks);
    # empty: none, the peer address is the client's (rate limits count per real peer)
    forwarded_allow_ips: str = ""
    page_cache_ttl_s: float = 1.0  # anonymous pages kept this long per worker; 0: no cache
    request_threads: int = 0  # serve: threads per worker for blocking handlers; 0: anyio's 40
    page_slots: int = 1  # HTML pages (GETs) a web app builds and renders at once; 0: no limit
    vector_refresh_s: float = 60.0  # serve: check for new vectors this often; 0: never
    sync_categories: str = ""  # comma-separated arXiv categories or groups; empty: none
    sync_sources: str = "oai,enrich"  # oai | api (how categories are harvested), enrich
    sync_interval_s: float = 0.0  # serve: seconds between syncs; 0: daily at sync_hour
    sync_hour: int = 6  # UTC hour of the daily sync (sync_interval_s = 0)
    hf_mirror: bool = False  # sync also mirrors the Hugging Face Daily Papers list
    sync_thumbnails: int = 60  # first-page thumbnails sync makes per run; 0: none
    arxiv_pdf_url: str = "https://arxiv.org/pdf/"  # + paper id: the PDF thumbnails come from

    @property
    def public_url(self) -> str:
        """The site's address in links built outside a request: base_url, or (unset, and
        not run by `serve`, which sets it to where it listens) the default local address."""
        return self.base_url or DEFAULT_BASE_URL

    signup: str = "open"  # open | invite (a curator's invite link) | closed; see docs/admin.md
    signup_email_domains: str = ""  # comma-separated domains sign-ups need; empty: any or none
    private: bool = False  # every page and API read needs a login (or a feed's signed token)


POSTGRES_NEEDS_INDEX_DIR = (
    "a PostgreSQL store keeps its search indexes (and the web tier's generated secret key)"
    " in files: set index_dir (PAPERTIDE_INDEX_DIR) to a folder for them (docs/settings.md)"
)


def is_postgres_url(db: str) -> bool:
    """Whether a db setting names a PostgreSQL database (else a SQLite file or ":memory:")."""
    return db.startswith(("postgres://", "postgresql://"))


def sqlite_path(db: str) -> str:
    """The SQLite path a db setting names: a path, sqlite:///path or ":memory:"."""
    return db.removeprefix("sqlite:///")


def sqlite_file(db: str) -> Path | None:
    """The SQLite file a db setting names; None for PostgreSQL URLs and ":memory:"."""
    path = sqlite_path(db)
    return None if path == ":memory:" or is_postgres_url(db) else Path(path)


CONFIG_VARIABLE = "PAPERTIDE_CONFIG"


def load_settings(environ: Mapping[str, str], path: Path | None = None) -> Settings:
    """Settings from a TOML file (keys as the field names), then PAPERTIDE_<FIELD> variables.
    The file is `path`, else the one $PAPERTIDE_CONFIG names, else none."""
    values: dict[str, object] = {}
    if path is None and environ.get(CONFIG_VARIABLE):
        path = Path(environ[CONFIG_VARIABLE])
    if path is not None:
        values.update(_read_toml(path))
    known = {field.name: field.type for field in fields(Settings)}
    for name in known:
        env_value = environ.get(f"PAPERTIDE_{name.upper()}")
        if env_value is not None:
            values[name] = env_value
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InputError(f"unknown setting(s): {', '.join(unknown)}")
    coerced: dict[str, Any] = {k: _coerce(k, str(known[k]), v) for k, v in values.items()}
    return Settings(**coerced)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"no such settings file: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read settings file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"bad settings file {path}: {error}") from None


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _bool(value: object) -> bool:
    """A TOML boolean, or true/false, 1/0, yes/no from the environment."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise ValueError(value)


_CONVERTERS: dict[str, Callable[[Any], object]] = {
    "str": str,
    "float": float,
    "int": int,
    "bool": _bool,
}


def _coerce(name: str, kind: str, value: object) -> object:
    try:
        return _CONVERTERS[kind](value)
    except (TypeError, ValueError):
        raise InputError(f"setting {name} must be of type {kind}, not {value!r}") from None
