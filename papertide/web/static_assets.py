"""The site's static files, cached by browsers: every page links them with `?v=` and a hash
of the files' contents (`asset_version`), so a changed file is a new URL and a linked one may
be kept a year. Files a stylesheet links by relative URL (KaTeX's fonts) carry no hash: they are
kept a day, then revalidated with the ETag StaticFiles sends."""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

PACKAGE = "papertide.web"
FOLDER = "static"
IMMUTABLE = "public, max-age=31536000, immutable"
A_DAY = "public, max-age=86400"


def asset_version() -> str:
    """A hash of every static file's path and bytes."""
    digest = hashlib.blake2b(digest_size=6)
    for name, item in sorted(_files(resources.files(PACKAGE) / FOLDER, "")):
        digest.update(name.encode())
        digest.update(item.read_bytes())
    return digest.hexdigest()


def _files(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for item in folder.iterdir():
        name = f"{prefix}/{item.name}"
        found.extend(_files(item, name) if item.is_dir() else [(name, item)])
    return found


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose answers say how long a browser may keep them."""

    def __init__(self, version: str) -> None:
        super().__init__(packages=[(PACKAGE, FOLDER)])
        self.version = version

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
        response.headers["Cache-Control"] = IMMUTABLE if asked == [self.version] else A_DAY
        return response
