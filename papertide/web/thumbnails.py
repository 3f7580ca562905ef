"""GET /thumbnails/<id>.webp: a paper's first-page thumbnail that sync made (index/thumbnails.py),
cached by browsers for a week; and the template function that says whether a paper has one."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import FileResponse

from papertide.errors import PaperNotFoundError
from papertide.index.thumbnails import Thumbnails

CACHE_CONTROL = "public, max-age=604800"  # a new version of a paper may change its first page
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def thumbnail_url(thumbnails: Thumbnails | None) -> Callable[[str], str | None]:
    """For templates: a paper's thumbnail URL, None when it has none (a card is shown)."""

    def url(paper_id: str) -> str | None:
        if thumbnails is None or not thumbnails.has(paper_id):
            return None
        return f"/thumbnails/{thumbnails.name(paper_id)}"

    return url


def thumbnails_router(thumbnails: Thumbnails | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/thumbnails/{name}.webp")
    def thumbnail(name: str) -> FileResponse:
        path = thumbnails.folder / f"{name}.webp" if thumbnails else None
        if path is None or not _NAME.fullmatch(name) or name.startswith(".") or not path.is_file():
            raise PaperNotFoundError("no thumbnail for this paper")
        return FileResponse(path, media_type="image/webp", headers={"Cache-Control": CACHE_CONTROL})

    return router
