"""Template filters: safe Markdown for comments, snippet highlights, URLs."""

from datetime import date
from urllib.parse import quote, quote_plus, urlencode

from hypothesis import given
from hypothesis import strategies as st
from jinja2.utils import url_quote
from markdown_it import MarkdownIt
from markupsafe import escape

from papertide.search.snippet import Snippet
from papertide.web.auth import safe_next
from papertide.web.markup import (
    author_links,
    author_url,
    category_url,
    esc,
    format_day,
    highlight,
    keyword_chips,
    keyword_url,
    paper_url,
    path_part,
    url_with,
    web_url,
)
from papertide.web.pages.search import followed_keyword
from papertide.web.render import build_environment, has_math, render_markdown

MD = MarkdownIt("commonmark", {"html": False})


def test_render_markdown_keeps_formatting_and_drops_html():
    html = render_markdown(MD, "**b** <script>x()</script> <b onclick=y>z</b>")
    assert "<strong>b</strong>" in html
    assert "<script>" not in html and "<b onclick" not in html
    assert "&lt;script&gt;" in html and "&lt;b onclick=y&gt;" in html


def test_render_markdown_links_are_nofollow_and_unsafe_schemes_dropped():
    html = render_markdown(MD, "[a](https://x.org) [b](javascript:alert(1)) [c](data:text/html,x)")
    assert '<a href="https://x.org" rel="nofollow noopener ugc">a</a>' in html
    assert "javascript:" not in html.replace("[b](javascript:alert(1))", "")
    assert 'href="data:' not in html


def test_render_markdown_puts_each_formula_in_its_own_span_escaped_and_untouched():
    html = render_markdown(MD, "a $x_1 < \\{y\\}$ b $$\\frac{1}{$$ <span class=math>z</span>")
    assert '<span class="math">$x_1 &lt; \\{y\\}$</span>' in html  # Markdown kept off it
    assert '<span class="math">$$\\frac{1}{$$</span>' in html
    assert "&lt;span class=math&gt;z&lt;/span&gt;" in html  # only the server makes spans
    assert has_math("see $x$") and not has_math("costs 5 $ or 6 dollars")


def test_render_markdown_drops_images():
    assert "<img" not in render_markdown(MD, "![x](https://x.org/a.png)")


def test_highlight_marks_spans_and_escapes_everything_else():
    snippet = Snippet("a <b> attention & more", ((6, 15),), clipped_start=True)
    assert str(highlight(snippet)) == "… a &lt;b&gt; <mark>attention</mark> &amp; more"


def test_paper_and_author_urls_quote_what_needs_it():
    assert paper_url("hep-th/9901001") == "/papers/hep-th/9901001"
    assert author_url("Émile B/x") == "/authors/%C3%89mile%20B%2Fx"


# any text a store may hold: every character but lone surrogates (not UTF-8 encodable)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(TEXT)
def test_url_builders_quote_exactly_as_urllib_does(text: str):
    assert paper_url(text) == "/papers/" + quote(text, safe="/")
    assert author_url(text) == "/authors/" + quote(text, safe="")
    assert category_url(text) == "/categories/" + quote(text, safe="")
    phrase = " ".join(text.replace('"', " ").split())
    assert keyword_url(text) == "/search?q=" + quote_plus(f'"{phrase}"')


@given(TEXT)
def test_esc_escapes_exactly_as_the_templates_autoescape_does(text: str):
    assert esc(text) == str(escape(text))
    assert path_part(text) == url_quote(text)  # an organisation's slug, as |urlencode did


@given(st.dictionaries(TEXT, st.one_of(TEXT, st.none(), st.integers()), max_size=4))
def test_url_with_encodes_exactly_as_urlencode_does(params: dict[str, object]):
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    assert url_with("/p", params) == (f"/p?{urlencode(kept)}" if kept else "/p")


@given(st.dates())
def test_format_day_writes_the_c_locale_names_as_strftime_does(day: date):
    assert format_day(day) == f"{day:%a} {day.day} {day:%b %Y}"


def test_author_links_and_keyword_chips_escape_every_name():
    links = author_links(("<b>A&B</b>", "Ada Lovelace", "Alan Turing"), 2)
    assert str(links) == (
        '<a href="/authors/%3Cb%3EA%26B%3C%2Fb%3E">&lt;b&gt;A&amp;B&lt;/b&gt;</a>, '
        '<a href="/authors/Ada%20Lovelace">Ada Lovelace</a> and 1 more'
    )
    assert str(author_links(("Ada Lovelace",), 6)) == (
        '<a href="/authors/Ada%20Lovelace">Ada Lovelace</a>'
    )
    assert str(keyword_chips(['<img src=x> "q"'])) == (
        '<a href="/search?q=%22%3Cimg+src%3Dx%3E+q%22" class="keyword">'
        "&lt;img src=x&gt; &#34;q&#34;</a> "
    )


def test_url_with_leaves_out_empty_parameters():
    assert url_with("/search", {"q": "a b", "cat": "", "p": None}) == "/search?q=a+b"
    assert url_with("/x", {}) == "/x"


def test_web_url_allows_only_http_links():
    assert web_url("https://github.com/a/b") == "https://github.com/a/b"
    assert web_url("javascript:alert(1)") == "#"
    assert web_url("JaVaScRiPt:x") == "#"


def test_format_day_reads_like_a_date():
    assert format_day(date(2026, 1, 5)) == "Mon 5 Jan 2026"
    assert format_day(None) == ""


def test_environment_autoescapes_every_template():
    env = build_environment("test")
    assert env.from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"


def test_safe_next_keeps_local_paths_only():
    assert safe_next("/papers/1?x=2") == "/papers/1?x=2"
    for target in ("//evil.org", "https://evil.org", "/\\evil.org", "", None, "/a\r\nSet-Cookie:x"):
        assert safe_next(target) == "/"


def test_render_document_keeps_latex_away_from_markdown():
    from papertide.web.render import render_document

    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    text = (
        "# T\n\nSet $\\{a_i\\} \\, x$ and\n\n$$s_c = \\max\\Big(f,\\ x\\Big) < 1$$\n\n"
        "| a |\n|---|\n| $G$ |\n"
    )
    html = render_document(markdown, text)
    assert "$\\{a_i\\} \\, x$" in html  # Markdown would have eaten the backslashes
    assert "$$s_c = \\max\\Big(f,\\ x\\Big) &lt; 1$$" in html  # escaped for the page
    assert "<h2>T</h2>" in html and "<td>$G$</td>" in html
    assert "ptmath" not in html


def test_keyword_url_searches_the_keyword_as_one_quoted_phrase():
    assert keyword_url("diffusion models") == "/search?q=%22diffusion+models%22"
    assert keyword_url(' say "hi" & <b> ') == "/search?q=%22say+hi+%26+%3Cb%3E%22"
    assert followed_keyword('"diffusion models"') == "diffusion models"
    assert followed_keyword(' "say hi & <b>" ') == "say hi & <b>"
    assert followed_keyword("diffusion models") == "diffusion models"  # as typed
    assert followed_keyword('"a" "b"') == '"a" "b"'  # two phrases: the query as typed
    assert followed_keyword('""') == '""'
