"""The digest link pages answer through the site: confirm, unsubscribe and preferences show
their page (200) for a valid token and a 400 page for a forged, empty or wrong-kind token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from papertide.digest.service import DigestService
from papertide.digest.tokens import CONFIRM, PREFERENCES, UNSUBSCRIBE
from papertide.web.app import create_app
from tests.integration.web.conftest import Site

PAGES = [(CONFIRM, "confirm"), (UNSUBSCRIBE, "unsubscribe"), (PREFERENCES, "preferences")]


@dataclass
class DigestSite:
    client: TestClient
    digests: DigestService


@pytest.fixture
def digest_site(site: Site) -> Iterator[DigestSite]:
    with TestClient(create_app(site.services)) as client:
        yield DigestSite(client, site.services.digests)


@pytest.mark.parametrize(("purpose", "page"), PAGES)
def test_digest_link_page_is_200_with_a_valid_token(digest_site: DigestSite, purpose, page):
    sub = digest_site.digests.subscribe("ada@example.org")
    token = digest_site.digests.tokens.make(purpose, sub.id)
    answer = digest_site.client.get(f"/digest/{page}", params={"token": token})
    assert answer.status_code == 200, answer.text
    assert f'id="{page}-form"' in answer.text and "ada@example.org" in answer.text


@pytest.mark.parametrize(("purpose", "page"), PAGES)
def test_digest_link_page_is_400_with_a_bad_token(digest_site: DigestSite, purpose, page):
    sub = digest_site.digests.subscribe("ada@example.org")
    token = digest_site.digests.tokens.make(purpose, sub.id)
    other = next(p for p, _ in PAGES if p != purpose)
    for bad in (token[:-4] + "AAAA", "", digest_site.digests.tokens.make(other, sub.id)):
        answer = digest_site.client.get(f"/digest/{page}", params={"token": bad})
        assert answer.status_code == 400, (bad, answer.text)
        assert "ada@example.org" not in answer.text
