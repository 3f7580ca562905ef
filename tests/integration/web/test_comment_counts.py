"""Comment counts say what they count, through the real pages and API: the comments made here
(what the page lists and the API returns), and apart from them the count imported from Hugging
Face, linked there. Before the fix a page said "Comments (5)" over one comment, and "Comments
(4)" above "No comments here yet"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.web.api_world import HF_DAY, World, build_app, build_world

IMPORTED = "2603.07660"  # 4 comments on Hugging Face in the recorded list


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.store.close()


def test_a_paper_page_counts_its_own_comments_and_names_hugging_faces_apart(
    world: World,
) -> None:
    with TestClient(build_app(world.services)) as client:
        page = client.get(f"/papers/{IMPORTED}").text
        assert "Comments (0)" in page and "No comments here yet" in page
        assert "4 comments on" in page and f"https://huggingface.co/papers/{IMPORTED}" in page

        user, _ = world.user_with_token()
        world.services.community.comment(user, IMPORTED, "Which dataset?")
        page = client.get(f"/papers/{IMPORTED}").text
        assert "Comments (1)" in page and "Which dataset?" in page
        assert "No comments here yet" not in page

        api = client.get(f"/api/papers/{IMPORTED}").json()
        assert api["numComments"] == len(client.get(f"/api/papers/{IMPORTED}/comments").json())

        daily = client.get(f"/daily/{HF_DAY}").text
        row = daily[daily.index(f'id="paper-{IMPORTED}"') :]
        row = row[: row.index("</article>")]
        assert "1 comment<" in row and "4 on Hugging Face" in row
