"""Every page that needs a signed-in user says so in one place (`SignedInUser`, or a
`signed_in(page)` dependency, or `Curator` on top of it; web/auth.py) and sends a logged-out
browser to the login page by one rule: a GET comes back to itself, a form to its safe `next`
field, else to the page its route belongs to, else to the page of this site it came from.

ROUTES lists each of them with where an anonymous request must be sent; a test fails when a
route declares the dependency without being listed here (or the other way round), so a new page
cannot forget to be checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from papertide.web.auth import signed_in
from tests.integration.web.conftest import PLAIN_ID, Site

PAPER = f"/papers/{PLAIN_ID}"
NEXT = f"{PAPER}#comments"  # what the forms with a `next` field carry in these tests


@dataclass(frozen=True)
class Route:
    """One route that needs a signed-in user: how to ask for it, where a logged-out browser
    must be sent back to after logging in, and the status a signed-in curator gets."""

    method: str
    route: str  # as declared
    path: str  # a concrete URL of it
    back: str  # the login page's `next`
    signed_in: int
    form: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _get(route: str, signed_in: int = 200, path: str | None = None) -> Route:
    path = path or route
    return Route("GET", route, path, path, signed_in)


def _post(route: str, path: str, back: str, signed_in: int, **form: str) -> Route:
    return Route("POST", route, path, back, signed_in, form)


def _post_next(route: str, path: str, signed_in: int, **form: str) -> Route:
    """A form that carries `next` (the page it was on)."""
    return Route("POST", route, path, NEXT, signed_in, {"next": NEXT, **form})


ROUTES = (
    # the reader's own pages
    _get("/account"),
    _get("/account/settings", path="/account/settings?changed=password"),
    _get("/account/export"),
    _get("/collections/{collection_id:id}", 404, "/collections/7"),
    _get("/notifications"),
    _get("/for-you"),
    _get("/for-you/model"),
    _post("/notifications/read", "/notifications/read", "/notifications", 303),
    _post("/account/tokens", "/account/tokens", "/account", 200, name="script"),
    _post("/account/feed-key/rotate", "/account/feed-key/rotate", "/account", 303),
    _post("/account/tokens/{token_id}/revoke", "/account/tokens/x/revoke", "/account", 303),
    _post("/account/email/verify", "/account/email/verify", "/account", 400),
    _post("/submit", "/submit", "/submit", 400, text="not an id"),
    _post("/account/password", "/account/password", "/account/settings", 403, current="no"),
    _post("/account/email", "/account/email", "/account/settings", 403, current="no"),
    _post("/account/replies", "/account/replies", "/account/settings", 303),
    _post("/account/delete", "/account/delete", "/account/settings", 403, current="no"),
    _post("/for-you/reset", "/for-you/reset", "/for-you/model", 303),
    _post("/for-you/bibtex", "/for-you/bibtex", "/for-you", 422),
    # the paper page's forms without a `next` field come back to the paper
    _post("/papers/{paper_id:path}/preview", f"{PAPER}/preview", PAPER, 200, body="*hi*"),
    _post("/papers/{paper_id:path}/comments", f"{PAPER}/comments", PAPER, 303, body="hi"),
    _post("/papers/{paper_id:path}/claim", f"{PAPER}/claim", PAPER, 400, author="Nobody"),
    # forms with a `next` field
    _post_next("/papers/{paper_id:path}/vote", f"{PAPER}/vote", 303),
    _post_next("/papers/{paper_id:path}/bookmark", f"{PAPER}/bookmark", 303),
    _post_next("/papers/{paper_id:path}/rate", f"{PAPER}/rate", 303, value="up"),
    _post_next("/papers/{paper_id:path}/unlist", f"{PAPER}/unlist", 200, day="2026-01-15"),
    _post_next("/papers/{paper_id:path}/org", f"{PAPER}/org", 303, name="Lab"),
    _post_next("/papers/{paper_id:path}/org/remove", f"{PAPER}/org/remove", 303, slug="lab"),
    _post_next("/comments/{comment_id:id}/reply", "/comments/7/reply", 400, body="hi"),
    _post_next("/comments/{comment_id:id}/edit", "/comments/7/edit", 400, body="hi"),
    _post_next("/comments/{comment_id:id}/report", "/comments/7/report", 400),
    _post_next("/comments/{comment_id:id}/delete", "/comments/7/delete", 400),
    _post_next(
        "/collections/{collection_id:id}/remove", "/collections/7/remove", 404, paper_id=PLAIN_ID
    ),
    _post_next("/claims/{claim_id:id}/withdraw", "/claims/7/withdraw", 400),
    _post_next("/follow", "/follow", 303, kind="category", value="cs.CL"),
    # the curators' pages (Curator): a form without `next` comes back to /admin
    _get("/admin"),
    _get("/admin/users"),
    _get("/admin/audit"),
    _get("/admin/moderation"),
    _get("/admin/quarantine"),
    _get("/admin/invites"),
    _get("/admin/status"),
    _get("/admin/claims"),
    _post("/admin/users/{username}/{action}", "/admin/users/alice/member", "/admin", 400),
    _post_next("/admin/comments/{comment_id:id}/restore", "/admin/comments/7/restore", 303),
    _post_next("/admin/unlisted/{entry_id:id}/relist", "/admin/unlisted/7/relist", 400),
    _post("/admin/invites", "/admin/invites", "/admin", 200),
    _post("/admin/invites/{invite_id:id}/revoke", "/admin/invites/7/revoke", "/admin", 200),
    _post("/admin/claims/{claim_id:id}/{action}", "/admin/claims/7/approve", "/admin", 404),
    _post("/admin/claims/rules", "/admin/claims/rules", "/admin", 400),
    _post("/admin/claims/rules/remove", "/admin/claims/rules/remove", "/admin", 303),
)


def login_location(back: str) -> str:
    return "/login" if back == "/" else "/login?next=" + quote(back, safe="")


def ask(site: Site, route: Route, **options: object):
    if route.method == "GET":
        return site.client.get(route.path, follow_redirects=False, **options)  # type: ignore[arg-type]
    return site.post(route.path, route.form, **options)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_logged_out_browser_is_sent_to_log_in_and_back(site: Site, route: Route) -> None:
    answer = ask(site, route)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == login_location(route.back)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_signed_in_curator_gets_the_page_as_before(site: Site, route: Route) -> None:
    site.sign_up()  # the first account: a curator
    answer = ask(site, route)
    assert answer.status_code == route.signed_in, answer.text
    assert not answer.headers.get("location", "").startswith("/login")


def _declares_sign_in(dependant: Dependant) -> bool:
    """Whether a route (or one of its dependencies) depends on a `signed_in` dependency."""
    code = signed_in().__code__
    return any(
        getattr(sub.call, "__code__", None) is code or _declares_sign_in(sub)
        for sub in dependant.dependencies
    )


def _app_routes(site: Site) -> list[tuple[str, str, Dependant | None]]:
    """(method, path as declared, dependant) of every route of the app."""
    app = site.client.app
    return [
        (method, str(context.path), getattr(context, "dependant", None))
        for context in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
        for method in context.methods or ()
    ]


def test_every_route_that_needs_a_user_is_listed(site: Site) -> None:
    declared = {
        (method, path)
        for method, path, dependant in _app_routes(site)
        if dependant is not None and _declares_sign_in(dependant)
    }
    listed = {(route.method, route.route) for route in ROUTES}
    assert len(listed) == len(ROUTES)  # each listed once
    assert declared - listed == set(), "routes that need a user but are not in ROUTES"
    assert listed - declared == set(), "ROUTES that no longer declare SignedInUser"


def test_no_other_page_sends_a_logged_out_browser_to_log_in(site: Site) -> None:
    """A page that checked by hand (and forgot the dependency) would show up here."""
    listed = {route.route for route in ROUTES if route.method == "GET"}
    pages = [
        path
        for method, path, _ in _app_routes(site)
        if method == "GET" and "{" not in path and path not in listed
    ]
    assert len(pages) > 10
    for path in pages:
        answer = site.client.get(path, follow_redirects=False)
        assert not answer.headers.get("location", "").startswith("/login"), path


def test_a_form_without_next_comes_back_to_the_page_it_was_sent_from(site: Site) -> None:
    here = {"Referer": f"http://testserver{PAPER}?similar=method"}
    answer = site.post("/comments/7/reply", {"body": "hi"}, headers=here)
    assert answer.headers["location"] == login_location(f"{PAPER}?similar=method")
    unsafe = {"next": "//elsewhere.example/x", "body": "hi"}
    answer = site.post("/comments/7/reply", unsafe, headers=here)
    assert answer.headers["location"] == login_location(f"{PAPER}?similar=method")


@pytest.mark.parametrize(
    "referer",
    ["https://elsewhere.example/papers/x", "http://testserver.elsewhere.example/x", "garbage"],
)
def test_a_referer_from_another_site_is_not_followed(site: Site, referer: str) -> None:
    answer = site.post("/comments/7/reply", {"body": "hi"}, headers={"Referer": referer})
    assert answer.headers["location"] == "/login"


def test_the_page_a_route_names_comes_before_the_referer(site: Site) -> None:
    """The page a form was on may be the answer to a POST (the account page after creating a
    token is at /account/tokens), which a GET cannot reopen: such routes name their page."""
    after_post = {"Referer": "http://testserver/account/tokens"}
    answer = site.post("/account/tokens/x/revoke", headers=after_post)
    assert answer.headers["location"] == login_location("/account")


def test_htmx_is_told_where_to_go(site: Site) -> None:
    answer = site.post(f"{PAPER}/vote", {"next": PAPER}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["HX-Redirect"] == login_location(PAPER)
