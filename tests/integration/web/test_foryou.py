"""The "For you" pages through the real app: thumbs up/down, the personal ranking and its
reasons, what the model learned, reset, cold start and BibTeX seeds."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from papertide.community.ratelimit import RateLimits
from papertide.index.embed import HashEmbedder
from papertide.index.update import embed_missing
from papertide.models import Listing, Record
from papertide.store.sqlite import SqliteStore
from papertide.web.app import create_app
from tests.integration.web.conftest import (
    PLAIN_ID,
    VISION_ID,
    YESTERDAY,
    Site,
    make_paper,
    site_services,
)

VISION_TWIN = "2601.00011"
TEXT_TWIN = "2601.00012"
TEXT_OTHER = "2601.00013"


@pytest.fixture
def limits() -> RateLimits:
    return RateLimits(vote=(3, 60))


def add_topics(site: Site) -> None:
    """Two more vision papers' worth of words and two more about translation, all listed."""
    papers = [
        (
            VISION_TWIN,
            "Convolutions for seeing images",
            "Deep convolutional image recognition.",
            "cs.CV",
        ),
        (TEXT_TWIN, "Translation with plain transformers", "Machine translation models.", "cs.CL"),
        (TEXT_OTHER, "Transformers translate text", "Translation of text with models.", "cs.CL"),
    ]
    records = [
        Record(
            make_paper(pid, title, abstract, categories=(category,)),
            Listing(YESTERDAY, pid, i + 5, None, None),
        )
        for i, (pid, title, abstract, category) in enumerate(papers)
    ]
    site.store.write_batch(records, [])
    embed_missing(site.store, HashEmbedder())


def ranked_ids(site: Site, client: TestClient | None = None) -> list[str]:
    page = (client or site.client).get("/for-you")
    assert page.status_code == 200
    return re.findall(r'<article class="paper-item" id="paper-([^"]+)"', page.text)


def test_foryou_anonymous_is_sent_to_login(site: Site) -> None:
    answer = site.client.get("/for-you", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
    model = site.client.get("/for-you/model", follow_redirects=False)
    assert model.headers["location"].startswith("/login")


def test_foryou_cold_start_says_so(site: Site) -> None:
    site.sign_up()
    page = site.client.get("/for-you")
    assert 'id="cold-start"' in page.text
    assert "/account#follows" in page.text
    assert 'action="/for-you/bibtex"' in page.text


def test_rate_up_ranks_the_liked_topic_first_with_reasons(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    answer = site.post(f"/papers/{VISION_ID}/rate", {"value": "up", "next": "/for-you"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/for-you"
    ids = ranked_ids(site)
    assert VISION_ID not in ids  # rated papers are not recommended again
    assert ids[0] == VISION_TWIN
    page = site.client.get("/for-you").text
    assert f'href="/papers/{VISION_ID}"' in page  # the nearest liked paper, as a link
    assert "Seeing images with convolutions" in page


def test_rate_down_sinks_a_topic(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    site.post(f"/papers/{PLAIN_ID}/rate", {"value": "up"})
    site.post(f"/papers/{VISION_ID}/rate", {"value": "down"})
    ids = ranked_ids(site)
    assert ids.index(TEXT_TWIN) < ids.index(VISION_TWIN)


def test_a_thumbs_down_through_one_worker_reranks_for_you_on_the_other_at_once(
    site: Site,
) -> None:
    """`serve` runs two workers, each with its own store and its own kept pool and profiles
    (kept per store object): the worker that ranked before a rating must not rank from what
    it kept."""
    add_topics(site)
    site.sign_up()
    other_store = SqliteStore(site.store.path, site.clock)
    other = site_services(other_store, site.clock)
    try:
        with TestClient(create_app(other)) as worker:
            worker.cookies.update(site.client.cookies)
            site.post(f"/papers/{PLAIN_ID}/rate", {"value": "up"})
            site.post(f"/papers/{VISION_ID}/rate", {"value": "up"})
            liked = ranked_ids(site, worker)
            assert liked[0] == VISION_TWIN
            assert ranked_ids(site, worker) == liked  # kept: the same profile ranks again
            site.post(f"/papers/{VISION_ID}/rate", {"value": "down"})
            disliked = ranked_ids(site, worker)
    finally:
        other_store.close()
    assert disliked.index(TEXT_TWIN) < disliked.index(VISION_TWIN)
    assert disliked[-1] == VISION_TWIN


def test_rate_with_htmx_answers_the_widget(site: Site) -> None:
    site.sign_up()
    answer = site.post(f"/papers/{VISION_ID}/rate", {"value": "up"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert f'id="rate-up-{VISION_ID}"' in answer.text
    assert 'value="clear"' in answer.text  # pressed: pressing again clears
    paper = site.client.get(f"/papers/{VISION_ID}").text
    assert f'id="rate-up-{VISION_ID}"\n          aria-pressed="true"' in paper
    daily = site.client.get("/daily/" + YESTERDAY.isoformat()).text  # list items show it too
    assert f'id="rate-up-{VISION_ID}"\n          aria-pressed="true"' in daily
    site.post(f"/papers/{VISION_ID}/rate", {"value": "clear"})
    assert site.store.ratings_of(user_id=1) == []


def test_rate_stores_a_web_rating_and_refuses_bad_values(site: Site) -> None:
    site.sign_up()
    site.post(f"/papers/{VISION_ID}/rate", {"value": "down"})
    [rating] = site.store.ratings_of(user_id=1)
    assert (rating.paper_id, rating.value, rating.source) == (VISION_ID, -1, "web")
    assert site.post(f"/papers/{VISION_ID}/rate", {"value": "meh"}).status_code == 400


def test_rate_without_csrf_is_refused(site: Site) -> None:
    site.sign_up()
    answer = site.client.post(f"/papers/{VISION_ID}/rate", data={"value": "up"})
    assert answer.status_code == 403
    assert site.store.ratings_of(user_id=1) == []


def test_rate_anonymous_goes_to_login(site: Site) -> None:
    answer = site.post(f"/papers/{VISION_ID}/rate", {"value": "up", "next": "/for-you"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_model_page_shows_what_was_learned_and_reset_empties_it(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    site.post(f"/papers/{VISION_ID}/rate", {"value": "up"})
    site.post(f"/papers/{PLAIN_ID}/rate", {"value": "down"})
    model = site.client.get("/for-you/model").text
    assert 'id="liked"' in model and "Seeing images with convolutions" in model
    assert 'id="disliked"' in model and "Plain transformers for translation" in model
    assert 'id="positive-terms"' in model
    answer = site.post("/for-you/reset")
    assert answer.status_code == 303
    assert site.store.ratings_of(user_id=1) == []
    assert 'id="no-likes"' in site.client.get("/for-you/model").text
    assert 'id="cold-start"' in site.client.get("/for-you").text


def test_reset_without_csrf_is_refused(site: Site) -> None:
    site.sign_up()
    site.post(f"/papers/{VISION_ID}/rate", {"value": "up"})
    assert site.client.post("/for-you/reset").status_code == 403
    assert len(site.store.ratings_of(user_id=1)) == 1


def test_bibtex_upload_seeds_likes(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    bib = (
        "@article{a, title={Seeing images with convolutions}, year=2026}\n"
        f"@misc{{b, title={{Anything}}, eprint={{{TEXT_TWIN}}}, archivePrefix={{arXiv}}}}\n"
        "@book{c, title={A book we do not have}}\n"
    )
    form = {"csrf_token": site.csrf()}
    files = {"file": ("mine.bib", bib.encode(), "text/plain")}
    answer = site.client.post("/for-you/bibtex", data=form, files=files)
    assert answer.status_code == 200
    assert "2 of 3 entries matched" in answer.text
    liked = {r.paper_id for r in site.store.ratings_of(user_id=1) if r.value == 1}
    assert liked == {VISION_ID, TEXT_TWIN}
    assert all(r.source == "web" for r in site.store.ratings_of(user_id=1))
    assert 'id="cold-start"' not in site.client.get("/for-you").text


def test_foryou_uses_upvotes_and_follows(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    site.post(f"/papers/{VISION_ID}/vote", {"up": "1"})
    site.post("/follow", {"kind": "category", "value": "cs.CV", "on": "1"})
    page = site.client.get("/for-you").text
    assert 'id="cold-start"' not in page
    assert "you follow category cs.CV" in page
    assert ranked_ids(site)[0] == VISION_TWIN


def api_headers(site: Site) -> dict[str, str]:
    user = site.store.user_by_id(1)
    assert user is not None
    token = site.services.accounts.create_api_token(user, "tests")
    return {"Authorization": f"Bearer {token}"}


def test_api_foryou_needs_a_token_and_lists_items_with_reasons(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    assert site.client.get("/api/for-you").status_code == 401
    headers = api_headers(site)
    cold = site.client.get("/api/for-you", headers=headers).json()
    assert cold == {"cold_start": True, "items": []}
    site.post(f"/papers/{VISION_ID}/rate", {"value": "up"})
    found = site.client.get("/api/for-you", headers=headers).json()
    assert found["cold_start"] is False
    first = found["items"][0]
    assert first["id"] == VISION_TWIN
    assert first["title"] == "Convolutions for seeing images"
    assert any(VISION_ID in reason for reason in first["reasons"])
    assert isinstance(first["score"], float)


def test_foryou_feed_is_signed_for_its_user(site: Site) -> None:
    add_topics(site)
    site.sign_up()
    site.post(f"/papers/{VISION_ID}/rate", {"value": "up"})
    page = site.client.get("/for-you").text
    match = re.search(r'href="http://[^"]*(/feeds/users/alice/for-you\.rss\?token=[^"]+)"', page)
    assert match, "no feed link on /for-you"
    feed = site.client.get(match[1].replace("&amp;", "&"))
    assert feed.status_code == 200
    assert "Convolutions for seeing images" in feed.text
    assert feed.headers["cache-control"] == "private"
    forged = site.client.get("/feeds/users/alice/for-you.rss?token=forged")
    assert forged.status_code == 403
    other_user = match[1].replace("/users/alice/", "/users/bob/")
    assert site.client.get(other_user).status_code == 403


def test_rate_is_rate_limited_like_votes(site: Site) -> None:
    site.sign_up()
    for value in ("up", "down", "clear"):
        assert site.post(f"/papers/{VISION_ID}/rate", {"value": value}).status_code == 303
    assert site.post(f"/papers/{VISION_ID}/rate", {"value": "up"}).status_code == 429
    assert site.store.ratings_of(user_id=1) == []


def test_bibtex_upload_is_bounded_in_entries_and_bytes(site: Site) -> None:
    """#13 M2: one 10,500-entry upload made every later /for-you cost seconds."""
    from papertide.rank.bibtex import MAX_BIBTEX_BYTES, MAX_BIBTEX_ENTRIES

    site.sign_up()
    many = "".join(
        f"@misc{{k{n}, title={{T{n}}}, eprint={{2601.{n:05d}}}}}\n"
        for n in range(MAX_BIBTEX_ENTRIES + 1)
    )
    huge = b"@misc{k, title={" + b"x" * MAX_BIBTEX_BYTES + b"}}\n"
    for data in (many.encode(), huge):
        form = {"csrf_token": site.csrf()}
        answer = site.client.post(
            "/for-you/bibtex", data=form, files={"file": ("big.bib", data, "text/plain")}
        )
        assert answer.status_code == 400 and "BibTeX" in answer.text
    assert site.store.ratings_of(user_id=1) == []
