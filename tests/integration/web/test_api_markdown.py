"""A paper as Markdown: `/papers/{id}.md` and the Accept negotiation the paper page uses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from papertide.models import Comment, Listing, Paper
from papertide.web.downloads.markdown import accept_weights, paper_markdown, wants_markdown
from tests.integration.web.api_world import (
    HOSTILE_ID,
    HOSTILE_TITLE,
    OLD_STYLE_ID,
    World,
    build_app,
    build_world,
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(build_app(world.services)) as opened:
        yield opened


def request_accepting(accept: str | None) -> Request:
    headers = [] if accept is None else [(b"accept", accept.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/markdown", True),
        ("text/markdown, text/html;q=0.9", True),
        ("text/html, text/markdown", True),
        ("text/x-markdown", True),
        ("text/markdown;q=0.5, text/html", False),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("*/*", False),
        ("text/markdown;q=0", False),
        ("text/markdown;q=abc", False),
        ("", False),
        (None, False),
    ],
)
def test_wants_markdown_follows_the_accept_header(accept, expected):
    assert wants_markdown(request_accepting(accept)) is expected


def test_accept_weights_take_the_highest_q_of_a_repeated_type():
    assert accept_weights("text/markdown;q=0.2, TEXT/Markdown;q=0.7") == {"text/markdown": 0.7}
    assert accept_weights("a/b;q=2, c/d;level=1") == {"a/b": 0.0, "c/d": 1.0}


def test_paper_markdown_keeps_latex_and_quotes_comments():
    paper = Paper(
        "2501.00001",
        "Attention\n  is $O(n^2)$",
        "We show $\\alpha \\le \\beta$.\nSecond line.",
        authors=("Ada Lovelace",),
        categories=("cs.LG",),
        published=datetime(2025, 1, 1, tzinfo=UTC),
    )
    comment = Comment(
        1, paper.id, 7, "bob", "First line\n\n## not a heading", datetime(2025, 1, 2, tzinfo=UTC)
    )
    listing = Listing(date(2025, 1, 2), paper.id, 0, "carol")
    text = paper_markdown(paper, 12, [comment], 3, listing)
    assert text.startswith("# Attention is $O(n^2)$\n")
    assert "We show $\\alpha \\le \\beta$.\nSecond line." in text
    assert "- Upvotes: 12; comments: 3" in text
    assert "- Daily papers: 2025-01-02 (submitted by carol)" in text
    assert "> ## not a heading" in text
    assert "**bob** wrote on 2025-01-02 00:00 UTC:" in text
    assert "<https://arxiv.org/pdf/2501.00001>" in text


def test_paper_md_route_answers_markdown_with_the_text_as_written(client, world):
    user, _ = world.user_with_token()
    world.services.community.comment(user, HOSTILE_ID, "I disagree with **this**.")
    response = client.get(f"/papers/{HOSTILE_ID}.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text.startswith(f"# {HOSTILE_TITLE}\n")
    assert "$\\mathcal{O}(n^2)$" in response.text
    assert "> I disagree with **this**." in response.text
    assert "- Code: <https://github.com/example/hostile>" in response.text


def test_paper_md_route_serves_old_style_ids_and_404s_unknown_ones(client):
    old = client.get(f"/papers/{OLD_STYLE_ID}.md")
    assert old.status_code == 200
    assert "Edward Witten" in old.text
    missing = client.get("/papers/2601.99999.md")
    assert missing.status_code == 404
    assert missing.text.startswith("# Not found")


def test_paper_page_answers_markdown_to_llm_tools_and_html_to_browsers(client):
    markdown = client.get(f"/papers/{HOSTILE_ID}", headers={"Accept": "text/markdown"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.headers["vary"] == "Accept"
    assert markdown.text.startswith(f"# {HOSTILE_TITLE}\n")
    browser = client.get(
        f"/papers/{HOSTILE_ID}",
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert browser.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in browser.text
