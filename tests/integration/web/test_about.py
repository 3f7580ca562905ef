"""The about page renders the trending documentation shipped in the package, which must stay
the same text as docs/trending.md (the one people read in the repository)."""

from pathlib import Path

from papertide.eval.summaries import OURS, published_figures
from papertide.web.pages.browse import about_trending_text
from tests.integration.web.conftest import Site

DOCS_TRENDING = Path(__file__).resolve().parents[3] / "docs" / "trending.md"


def test_about_trending_text_is_docs_trending_md():
    assert about_trending_text() == DOCS_TRENDING.read_text(encoding="utf-8"), (
        "copy docs/trending.md to papertide/web/templates/about_trending.md"
    )


def test_about_page_shows_the_formula_for_katex(site: Site):
    html = site.client.get("/about").text
    assert "<h2>Trending: how papers are ranked</h2>" in html and html.count("<h1") == 1
    assert "$$\\text{score}_p = (n_p + v_p + c_p) \\cdot d_p \\cdot m_p .$$" in html
    assert '<section class="prose tex" id="trending"' in html


def test_about_page_shows_the_measured_summary_figures(site: Site):
    published = published_figures()
    assert published is not None, "run python -m bench.summaries"
    measured, report = published
    html = site.client.get("/about").text
    assert '<section class="prose" id="summaries"' in html and f"measured {measured}" in html
    [ours] = [row for row in report.tldrs if row.name == OURS]
    assert f"<td>{OURS}</td><td>{ours.rouge_l:.3f}</td><td>{ours.cosine:.3f}</td>" in html
