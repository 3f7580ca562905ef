"""Rich rows and the paper page (#15 points 2 and 7): every list shows the summary to show
(Hugging Face's, else ours) with its source, up to 5 keyword chips that search for the phrase,
the organisation and the submitter, read with one query per kind whatever the number of rows;
the paper page shows every keyword, the organisations, submitter and media; a keyword chip
leads to "Follow this keyword", which feeds the follows feed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from papertide.models import Follow, PaperSummary
from tests.integration.web.conftest import HOSTILE_ID, PLAIN_ID, VISION_ID, Site
from tests.integration.web.test_community import user_id

PLAIN_HF = PaperSummary(
    PLAIN_ID,
    "huggingface",
    "Plain transformers translate well.",
    ("plain transformers", "machine translation", "BLEU", "beam search", "WMT", "tokens", "BPE"),
)
PLAIN_OURS = PaperSummary(PLAIN_ID, "papertide", "Translation with models.", ("translation",))
VISION_OURS = PaperSummary(
    VISION_ID, "papertide", "Image recognition with deep networks.", ("image recognition",)
)
LIST_PAGES = [
    "/",
    "/daily/2026-01-15",
    "/week/2026-W03",
    "/month/2026-01",
    "/trending",
    "/search?q=translation",
    "/authors/Ada%20Lovelace",
    "/categories/cs.CL",
]


@pytest.fixture
def rich(site: Site) -> Site:
    site.store.put_summaries([PLAIN_HF, PLAIN_OURS, VISION_OURS])
    site.store.set_paper_org(PLAIN_ID, "acme-lab", "Acme Lab", "huggingface")
    site.store.set_paper_org(PLAIN_ID, "zeta", "Zeta Institute", "curator:alice")
    site.store.put_media(PLAIN_ID, ["https://example.org/demo.mp4", "javascript:alert(1)"])
    return site


def row_of(html: str, paper_id: str) -> str:
    """The HTML of one paper's row on a list page."""
    start = html.index(f'id="paper-{paper_id}"')
    return html[start : html.index("</article>", start)]


def chip_queries(html: str) -> list[str]:
    """The search each keyword chip in `html` links to."""
    links = re.findall(r'<a href="([^"]+)" class="keyword">', html)
    return [parse_qs(urlparse(unescape(link)).query)["q"][0] for link in links]


@pytest.mark.parametrize("path", LIST_PAGES)
def test_every_list_shows_the_summary_keywords_organisation_and_submitter(rich: Site, path: str):
    answer = rich.client.get(path)
    assert answer.status_code == 200
    row = row_of(answer.text, PLAIN_ID)
    assert "Plain transformers translate well." in row  # Hugging Face's, not ours
    assert "Translation with models.</span>" not in row
    assert 'title="Summary from Hugging Face">HF</span>' in row
    assert chip_queries(row) == [f'"{k}"' for k in PLAIN_HF.keywords[:5]]  # up to 5 in a row
    assert '<a class="org" href="/org/acme-lab">Acme Lab</a>' in row
    assert '<a class="org" href="/org/zeta">Zeta Institute</a>' in row


def test_a_row_says_when_the_summary_is_ours_and_shows_the_submitter(rich: Site):
    html = rich.client.get("/week/2026-W03").text
    vision = row_of(html, VISION_ID)
    assert 'title="Summary by papertide (extractive)">auto</span>' in vision
    assert "Image recognition with deep networks." in vision
    assert "submitted by mallory" in row_of(html, HOSTILE_ID)


def test_a_collection_row_has_the_summary_too(rich: Site):
    rich.sign_up()
    assert rich.post(f"/papers/{PLAIN_ID}/bookmark", {"on": "1"}).status_code == 303
    account = rich.client.get("/account").text
    collection = re.search(r'href="(/collections/\d+)"', account)
    assert collection, account
    row = row_of(rich.client.get(collection[1]).text, PLAIN_ID)
    assert "Plain transformers translate well." in row and "Acme Lab" in row


def test_the_paper_page_shows_every_keyword_with_the_source_orgs_and_media(rich: Site):
    html = rich.client.get(f"/papers/{PLAIN_ID}").text
    section = html[html.index('class="paper-summary"') : html.index('id="abstract-title"')]
    assert '<p class="tldr-full tex" id="tldr">Plain transformers translate well.</p>' in section
    assert chip_queries(section) == [f'"{k}"' for k in PLAIN_HF.keywords]  # all 7
    assert '<p class="meta summary-source" id="summary-source">Summary from Hugging Face' in section
    orgs = html[html.index('class="paper-orgs"') :]  # their own section (the org pages')
    assert 'href="/org/acme-lab"' in orgs and 'href="/org/zeta"' in orgs
    assert 'href="https://example.org/demo.mp4"' in section
    assert "javascript:" not in section  # an unsafe media URL is never a link


def test_rows_read_summaries_and_organisations_with_one_call_each(
    rich: Site, monkeypatch: pytest.MonkeyPatch
):
    calls: list[tuple[str, int]] = []
    for name in ("summaries_for", "orgs_for"):
        real = getattr(rich.store, name)

        def counted(ids: Sequence[str], name: str = name, real: Any = real) -> Any:
            calls.append((name, len(ids)))
            return real(ids)

        monkeypatch.setattr(rich.store, name, counted)
    assert rich.client.get("/month/2026-01").status_code == 200
    assert sorted(calls) == [("orgs_for", 4), ("summaries_for", 4)]  # 4 rows, one call each


def test_following_a_keyword_chip_follows_the_phrase_and_feeds_the_following_feed(rich: Site):
    rich.sign_up()
    paper = rich.client.get(f"/papers/{PLAIN_ID}").text
    [search] = [q for q in chip_queries(paper) if q == '"plain transformers"']
    page = rich.client.get("/search", params={"q": search}).text
    assert f'id="paper-{PLAIN_ID}"' in page  # the phrase finds the paper
    assert 'id="follow-keyword" aria-pressed="false"' in page
    assert '<input type="hidden" name="value" value="plain transformers">' in page
    back = "/search?q=%22plain+transformers%22"
    form = {"kind": "keyword", "value": "plain transformers", "on": "1", "next": back}
    assert rich.post("/follow", form).status_code == 303
    assert rich.store.follows_of(user_id(rich)) == [Follow("keyword", "plain transformers")]
    assert 'id="follow-keyword" aria-pressed="true"' in rich.client.get(back).text
    account = rich.client.get("/account").text
    feed = account.split('id="following-feed">', 1)[1].split("<", 1)[0].replace("&amp;", "&")
    answer = rich.client.get(feed.removeprefix("http://127.0.0.1:8000"))
    assert answer.status_code == 200
    assert "Plain transformers for translation" in answer.text


# The row as every list writes it (paper_item in _macros.html), pinned whole for the paper with
# hostile text: a change to how rows render (they are one macro for speed) must keep this.
HOSTILE_ROW = (
    '<article class="paper-item" id="paper-2601.00001">\n'
    '  <div class="paper-side"><a class="vote" href="/login?next=%2F" title="Log in to upvote">\n'
    '  <span aria-hidden="true">▲</span><span class="visually-hidden">Log in to upvote;'
    ' upvotes:</span>\n  <span class="vote-count">5</span>\n</a>\n</div>\n'
    '  <div class="paper-body">\n    <div class="thumb thumb-card" aria-hidden="true">'
    '<span class="thumb-cat">cs.CL</span><span class="thumb-author">Ada Lovelace</span></div>\n'
    '    <h2 class="paper-title"><a class="tex" href="/papers/2601.00001">&lt;script&gt;'
    "alert(&#39;title&#39;)&lt;/script&gt; Tom &amp;amp; Jerry: $\\alpha &lt; \\beta$ attention"
    '</a>\n<span class="badge badge-new">new</span></h2>\n'
    '    <p class="authors">\n<a href="/authors/Ada%20Lovelace">Ada Lovelace</a>, '
    '<a href="/authors/Alan%20Turing">Alan Turing</a></p>\n\n'
    '    <p class="row-extras">\n<span class="submitter">submitted by mallory</span></p>\n\n'
    '    <p class="meta">\n<a class="cat" href="/categories/cs.CL">cs.CL</a> '
    '<a class="cat" href="/categories/cs.LG">cs.LG</a>       '
    '<a href="/papers/2601.00001#comments">0 comments</a>\n'
    ' · <span title="GitHub stars">★ 42</span>    </p>\n  </div>\n'
    '  <div class="paper-actions"></div>\n</article>'
)


def test_a_row_keeps_its_markup_escaped_for_a_reader_logged_out(rich: Site):
    html = rich.client.get("/").text
    start = html.index('<article class="paper-item" id="paper-2601.00001">')
    assert html[start : html.index("</article>", start) + len("</article>")] == HOSTILE_ROW
    plain = row_of(html, PLAIN_ID)
    assert '<h2 class="paper-title"><a class="tex" href="/papers/2601.00002">' in plain
    assert '<a href="https://huggingface.co/papers/2601.00002" rel="noopener">1 on' in plain


def test_a_row_offers_a_curator_vote_save_rate_and_unlist_in_that_order(rich: Site):
    rich.sign_up()
    rich.store.set_admin(user_id(rich), True)
    row = row_of(rich.client.get("/").text, PLAIN_ID)
    controls = re.findall(r'id="((?:vote|bookmark|rate-up|rate-down|unlist)-[^"]+)"', row)
    assert controls == [
        f"vote-{PLAIN_ID}",
        f"bookmark-{PLAIN_ID}",
        f"rate-up-{PLAIN_ID}",
        f"rate-down-{PLAIN_ID}",
        f"unlist-{PLAIN_ID}-2026-01-15",
    ]
    assert row.count('name="csrf_token"') == 4  # each form carries the token
