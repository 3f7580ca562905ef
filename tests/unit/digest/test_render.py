from datetime import date

from papertide.digest.compose import Period
from papertide.digest.render import (
    DigestRenderer,
    clip,
    digest_subject,
    format_authors,
    period_label,
)
from papertide.digest.tokens import FEEDBACK, PREFERENCES, UNSUBSCRIBE
from tests.unit.digest.samples import EVIL_TITLE, PERIOD, digest, links, subscription


def test_render_digest_escapes_titles_and_abstracts_in_html():
    html = DigestRenderer().digest(digest(), links()).html
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_render_digest_leaves_latex_readable_in_both_parts():
    rendered = DigestRenderer().digest(digest(), links())
    assert "$\\mathcal{O}(n^2)$" in rendered.html
    assert EVIL_TITLE in rendered.text
    assert "$x_i \\le y$. Second line, naïve café." in " ".join(rendered.text.split())


def test_render_digest_has_sections_and_working_feedback_links():
    rendered = DigestRenderer().digest(digest(), links())
    text, html = rendered.text, rendered.html
    assert text.index("FOR YOU") < text.index("TRENDING")
    assert "For you" in html and "Trending" in html
    tokens = links().tokens
    for part in (text, html):
        found = [part.split("feedback?token=")[n].split('"')[0].split()[0] for n in (1, 2)]
        claims = [tokens.read(FEEDBACK, token) for token in found]
        assert [(c.paper_id, c.value) for c in claims] == [("2601.00001", 1), ("2601.00001", -1)]
    assert "https://papers.example.org/papers/hep-th/9901001" in text


def test_render_digest_footer_links_carry_their_tokens():
    rendered = DigestRenderer().digest(digest(), links())
    tokens = links().tokens
    for purpose in (PREFERENCES, UNSUBSCRIBE):
        token = rendered.text.split(f"digest/{purpose}?token=")[1].split()[0]
        assert tokens.read(purpose, token).subscription_id == 7


def test_render_digest_uses_inline_styles_only():
    html = DigestRenderer().digest(digest(), links()).html
    assert "<style" not in html and "<link" not in html and "<script" not in html
    assert html.count('style="') > 20
    assert 'role="presentation"' in html


def test_render_digest_invites_ratings_on_cold_start():
    rendered = DigestRenderer().digest(digest("personal", personalised=False), links())
    assert "rate a few" in rendered.text
    assert "Rate a few" in rendered.html


def test_render_confirmation_links_to_confirm():
    rendered = DigestRenderer().confirmation(subscription(), links())
    assert rendered.subject == "Confirm your papertide digest subscription"
    assert "digest/confirm?token=" in rendered.text and "digest/confirm?token=" in rendered.html


def test_render_reminder_links_to_preferences():
    rendered = DigestRenderer().reminder(subscription(), links())
    assert "digest/preferences?token=" in rendered.text
    assert "already receives" in rendered.html


def test_digest_subject_counts_and_names_the_period():
    entries = digest().entries
    assert digest_subject("papertide", PERIOD, entries) == (
        "papertide: 2 papers for you, Mon 5 Jan 2026"
    )
    assert digest_subject("pt", PERIOD, entries[1:]) == "pt: 1 trending paper, Mon 5 Jan 2026"


def test_period_label_names_ranges_and_weeks():
    weekend = Period("daily", "2026-01-05", date(2026, 1, 2), date(2026, 1, 4))
    week = Period("weekly", "2026-W02", date(2025, 12, 29), date(2026, 1, 4))
    assert period_label(weekend) == "Fri 2 to Sun 4 Jan 2026"
    assert period_label(week) == "week of Mon 29 Dec 2025"


def test_clip_cuts_at_a_word_with_an_ellipsis():
    assert clip("one two  three\nfour", 12) == "one two…"
    assert clip("short", 12) == "short"


def test_format_authors_shortens_long_lists():
    assert format_authors(["A", "B"]) == "A, B"
    assert format_authors(["A", "B", "C", "D", "E"]) == "A, B, C, D et al."
