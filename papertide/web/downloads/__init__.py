"""Files to save rather than pages or API answers: citations (.bib, .ris, .csl.json) of a
paper, a list, a search or a collection, and a paper as Markdown (.md)."""

from fastapi import APIRouter

from papertide.web.downloads.citations import citation_router
from papertide.web.downloads.markdown import markdown_router
from papertide.web.services import WebServices


def downloads_router(services: WebServices) -> APIRouter:
    """Every download; include it before the HTML routes its paths look like
    (`/papers/{id}.bib` and `/papers/{id}.md` before `/papers/{id}`)."""
    router = APIRouter()
    router.include_router(citation_router(services))
    router.include_router(markdown_router(services))
    return router
