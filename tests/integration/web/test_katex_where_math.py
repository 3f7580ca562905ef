"""KaTeX only where a page has math: its stylesheet and scripts are linked on a page whose
content holds a formula (a title, an abstract, a comment) and left off the others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.web.render import without_unused_katex
from tests.integration.web.api_world import HOSTILE_ID, World, build_app, build_world

KATEX = "/static/vendor/katex/"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    world: World = build_world(tmp_path)
    with TestClient(build_app(world.services)) as opened:
        yield opened
    world.store.close()


def test_pages_without_formulas_do_not_load_katex(client: TestClient) -> None:
    for path in ("/login", "/signup", "/account/forgot", "/docs"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert KATEX not in page.text, path


def test_a_page_with_a_formula_loads_katex(client: TestClient) -> None:
    page = client.get(f"/papers/{HOSTILE_ID}").text  # its title holds $\alpha<\beta$
    assert page.count(KATEX) == 3  # the stylesheet, KaTeX and auto-render


@pytest.mark.parametrize(
    ("body", "math"),
    [
        ("costs $5 a month", False),
        ("$x^2$", True),
        ("$$\\sum_i x_i$$", True),
        ("\\(x\\)", True),
        ("\\( " * 30_000, False),  # never closed (a linear scan, not one per opening)
        ("$" + "a" * 100_000, False),
        (("$" + "a" * 2_500 + "\n") * 40, False),  # longer than a formula, and cut by lines
        ("$\n" * 50_000, False),
    ],
)
def test_math_is_what_auto_render_would_typeset(body: str, math: bool) -> None:
    head = f'<head>\n<link rel="stylesheet" href="{KATEX}katex.min.css">\n</head>'
    assert (KATEX in without_unused_katex(f"{head}<body>{body}</body>")) is math
