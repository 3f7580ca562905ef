"""The lines `papertide serve` prints before the server starts (#17)."""

import pytest

from papertide.web.welcome import site_url, welcome_lines


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000/"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080/"),
        ("::", 8000, "http://[::1]:8000/"),
        ("::1", 9000, "http://[::1]:9000/"),
        ("papers.example.org", 80, "http://papers.example.org:80/"),
    ],
)
def test_the_url_is_the_one_a_browser_on_this_machine_opens(host, port, url):
    assert site_url(host, port) == url
    assert welcome_lines(host, port)[0] == f"Open {url} in a browser (Ctrl-C stops the server)."


def test_port_zero_points_at_the_port_the_server_reports():
    assert "uvicorn prints below" in welcome_lines("127.0.0.1", 0)[0]
    assert "127.0.0.1:0" not in welcome_lines("127.0.0.1", 0)[0]


def test_three_lines_url_curator_docs():
    url, curator, docs = welcome_lines("127.0.0.1", 8000)
    assert url.startswith("Open http://127.0.0.1:8000/")
    assert curator == "The first account to sign up becomes the curator (admin)."
    assert "docs/" in docs
    assert "/about" in docs
