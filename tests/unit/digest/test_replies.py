"""Reply emails, the pure parts: the rendered message (subject, quoting, escaping, more), the
clipping of long replies and the turn-off token's purpose."""

import pytest

from papertide.clock import FixedClock
from papertide.digest.render import DigestRenderer, ReplyItem, ReplyLinks, quoted
from papertide.digest.replies import REPLY_MAX_CHARS, clip_body, comment_url
from papertide.digest.tokens import REPLIES_OFF, UNSUBSCRIBE, DigestTokens, TokenError

SITE = "https://papers.example.org/"
LINKS = ReplyLinks(SITE, f"{SITE}digest/replies/off?token=t", f"{SITE}account/settings", f"{SITE}n")


def item(author: str, body: str) -> ReplyItem:
    paper = f"{SITE}papers/2601.00001"
    return ReplyItem(author, "Sparse <attention>", body, paper, comment_url(paper, 7))


def test_render_replies_names_one_replier_or_counts_several():
    one = DigestRenderer().replies([item("bob", "Hi")], 0, LINKS, "30 minutes")
    assert one.subject == "papertide: bob replied to your comment"
    several = DigestRenderer().replies([item("bob", "Hi"), item("cy", "Yo")], 3, LINKS, "hour")
    assert several.subject == "papertide: 5 new replies to your comments"
    assert "And 3 more: https://papers.example.org/n" in several.text
    assert "at most one email every hour" in several.text


def test_render_replies_quotes_text_and_escapes_html_keeping_latex():
    body = "<b>bold</b> & $a < b$\nsecond line"
    rendered = DigestRenderer().replies([item("bob", body)], 0, LINKS, "30 minutes")
    assert "> <b>bold</b> & $a < b$\n> second line" in rendered.text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; $a &lt; b$" in rendered.html
    assert "Sparse &lt;attention&gt;" in rendered.html and "<b>" not in rendered.html
    assert f'href="{SITE}papers/2601.00001#comment-7"' in rendered.html
    assert f"Turn these emails off: {LINKS.off}" in rendered.text


def test_quoted_prefixes_every_line():
    assert quoted("a\n\nb\n") == "> a\n>\n> b"


def test_clip_body_keeps_short_replies_whole_and_cuts_long_ones_at_a_word():
    assert clip_body("  line one\nline two  ") == "line one\nline two"
    cut = clip_body("word " * 400)
    assert len(cut) <= REPLY_MAX_CHARS and cut.endswith("…")


def test_replies_off_tokens_are_refused_as_unsubscribe_tokens():
    tokens = DigestTokens(b"k" * 32, FixedClock())
    token = tokens.make(REPLIES_OFF, 42)
    assert tokens.read(REPLIES_OFF, token).subscription_id == 42
    with pytest.raises(TokenError):
        tokens.read(UNSUBSCRIBE, token)
