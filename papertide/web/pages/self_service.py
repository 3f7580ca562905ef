"""Account self-service: forgot password (a single-use, expiring link by email), reset, change
password, change email (confirmed at the new address), reply emails on or off, delete the
account, export one's data.
Every POST passes the site's CSRF guard (account_router includes these routes); every form
that checks a password or sends mail is rate limited like login.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from papertide.community.accounts import SESSION_TTL_S, AccountService, check_email
from papertide.community.ratelimit import enforce
from papertide.community.tokens import EMAIL, RESET, TOKEN_TTL_S, AccountTokenError
from papertide.errors import AuthError, InputError
from papertide.models import User
from papertide.web.auth import (
    CurrentViewer,
    SignedInUser,
    Viewer,
    clear_session_cookie,
    client_ip,
    safe_next,
    set_session_cookie,
    signed_in,
)
from papertide.web.render import Renderer
from papertide.web.services import WebServices

FIELD_MAX_CHARS = 1024
TOKEN_MAX_CHARS = 500
SENT_NOTE = "If an account has this address, a link to choose a new password is on its way."
# the signed-in user of a form of the account settings page
SettingsUser = Annotated[User, Depends(signed_in("/account/settings"))]


def self_service_routes(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    """Adds the forgot/reset and account settings routes to `router`."""
    _add_reset(router, services, renderer)
    _add_settings(router, services, renderer)


def _page(
    renderer: Renderer,
    request: Request,
    who: Viewer,
    name: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    return renderer.page(request, who, name, {"error": None, "note": None} | context, status)


def _hours(purpose: str) -> int:
    return TOKEN_TTL_S[purpose] // 3600


def _add_reset(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    accounts, store, limits = services.accounts, services.store, services.community.limits

    @router.get("/account/forgot", response_class=HTMLResponse)
    def forgot_form(request: Request, who: CurrentViewer) -> Response:
        context = {"can_mail": services.digests.can_mail, "email": ""}
        return _page(renderer, request, who, "forgot.html", context)

    @router.post("/account/forgot")
    def forgot(
        request: Request,
        who: CurrentViewer,
        email: str = Form("", max_length=FIELD_MAX_CHARS),
    ) -> Response:
        can_mail = services.digests.can_mail
        context: dict[str, Any] = {"can_mail": can_mail, "email": email}
        if not can_mail:
            return _page(renderer, request, who, "forgot.html", context, 503)
        try:
            address = check_email(email)
        except InputError as error:
            return _page(
                renderer, request, who, "forgot.html", context | {"error": str(error)}, 400
            )
        if address is None:
            context["error"] = "give the email address of your account"
            return _page(renderer, request, who, "forgot.html", context, 400)
        enforce(store, f"ip:{client_ip(request)}", "account_link", limits)
        enforce(store, f"email:{address.casefold()}", "account_link", limits)
        found = accounts.reset_link_token(address)
        if found is not None:  # the same answer either way: no telling which addresses exist
            user, token = found
            path = "/account/reset?" + urlencode({"token": token})
            services.digests.send_account_link(user.email or address, RESET, path, _hours(RESET))
        return _page(renderer, request, who, "forgot.html", context | {"note": SENT_NOTE})

    @router.get("/account/reset", response_class=HTMLResponse)
    def reset_form(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        try:
            user = accounts.reset_user(token)
        except AccountTokenError as error:
            context = {"token": "", "username": "", "error": str(error)}
            return _page(renderer, request, who, "reset.html", context, 400)
        return _page(
            renderer, request, who, "reset.html", {"token": token, "username": user.username}
        )

    @router.post("/account/reset")
    def reset(
        request: Request,
        who: CurrentViewer,
        token: str = Form("", max_length=TOKEN_MAX_CHARS),
        password: str = Form("", max_length=FIELD_MAX_CHARS),
    ) -> Response:
        enforce(store, f"ip:{client_ip(request)}", "login", limits)
        try:
            user = accounts.reset_password(token, password)
        except AccountTokenError as error:
            context = {"token": "", "username": "", "error": str(error)}
            return _page(renderer, request, who, "reset.html", context, 400)
        except InputError as error:
            username = accounts.reset_user(token).username
            context = {"token": token, "username": username, "error": str(error)}
            return _page(renderer, request, who, "reset.html", context, 400)
        return logged_in(accounts, request, user, "/account?changed=password")


def _add_settings(router: APIRouter, services: WebServices, renderer: Renderer) -> None:
    accounts, store, limits = services.accounts, services.store, services.community.limits

    def settings_page(
        request: Request, who: Viewer, user: User, extra: dict[str, Any], status: int = 200
    ) -> Response:
        context = {
            "can_mail": services.digests.can_mail,
            "new_email": "",
            "reply_emails": store.reply_emails_on(user.id),
            "email_confirmed": store.confirmed_email(user.id) is not None,
            "reply_interval_min": services.settings.reply_email_interval_min,
        } | extra
        return _page(
            renderer, request, who, "account_settings.html", {"user": user} | context, status
        )

    def password_guard(request: Request, user: User) -> None:
        """Guesses at the current password count like login attempts."""
        enforce(store, f"ip:{client_ip(request)}", "login", limits)
        enforce(store, f"account:{user.username.casefold()}", "login_account", limits)

    @router.get("/account/settings", response_class=HTMLResponse)
    def settings_form(
        request: Request,
        who: CurrentViewer,
        user: SignedInUser,
        changed: str = Query("", max_length=20),
    ) -> Response:
        note = {
            "password": "Your password is changed.",
            "email": "Your email is changed.",
            "replies-on": "Reply emails are on.",
            "replies-off": "Reply emails are off.",
        }
        return settings_page(request, who, user, {"note": note.get(changed)})

    @router.post("/account/password")
    def change_password(
        request: Request,
        who: CurrentViewer,
        user: SettingsUser,
        current: str = Form("", max_length=FIELD_MAX_CHARS),
        password: str = Form("", max_length=FIELD_MAX_CHARS),
    ) -> Response:
        password_guard(request, user)
        try:
            accounts.change_password(user, current, password)
        except (AuthError, InputError) as error:
            status = 403 if isinstance(error, AuthError) else 400
            return settings_page(request, who, user, {"error": str(error)}, status)
        return logged_in(accounts, request, user, "/account/settings?changed=password")

    @router.post("/account/email")
    def change_email(
        request: Request,
        who: CurrentViewer,
        user: SettingsUser,
        current: str = Form("", max_length=FIELD_MAX_CHARS),
        email: str = Form("", max_length=FIELD_MAX_CHARS),
    ) -> Response:
        context: dict[str, Any] = {"new_email": email}
        if not services.digests.can_mail:
            return settings_page(request, who, user, context, 503)
        password_guard(request, user)
        try:
            address, token = accounts.email_change_token(user, current, email)
        except (AuthError, InputError) as error:
            status = 403 if isinstance(error, AuthError) else 400
            return settings_page(request, who, user, context | {"error": str(error)}, status)
        enforce(store, f"user:{user.id}", "account_link", limits)
        path = "/account/email/confirm?" + urlencode({"token": token})
        services.digests.send_account_link(address, EMAIL, path, _hours(EMAIL))
        note = f"A link to confirm {address} is on its way there; follow it to change your email."
        return settings_page(request, who, user, {"note": note})

    @router.get("/account/email/confirm", response_class=HTMLResponse)
    def confirm_email_form(
        request: Request,
        who: CurrentViewer,
        token: str = Query("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        """A page with a button (mail scanners fetch links); the POST changes the email."""
        return _page(renderer, request, who, "email_confirm.html", {"token": token, "done": None})

    @router.post("/account/email/confirm")
    def confirm_email(
        request: Request,
        who: CurrentViewer,
        token: str = Form("", max_length=TOKEN_MAX_CHARS),
    ) -> Response:
        try:
            user = accounts.confirm_email_change(token)
        except InputError as error:  # AccountTokenError, or ConflictError: address taken
            context = {"token": "", "done": None, "error": str(error)}
            return _page(renderer, request, who, "email_confirm.html", context, 400)
        return _page(renderer, request, who, "email_confirm.html", {"token": "", "done": user})

    @router.post("/account/replies")
    def reply_emails(
        request: Request,
        who: CurrentViewer,
        user: SettingsUser,
        enabled: str = Form("", max_length=10),
    ) -> Response:
        """Turn "email me when someone replies to my comment" on (a checked box) or off."""
        on = enabled == "on"
        if on and not services.digests.can_mail:
            error = "this site sends no email, so reply emails cannot be turned on"
            return settings_page(request, who, user, {"error": error}, 503)
        if on and store.confirmed_email(user.id) is None:
            error = "confirm your email address first: reply emails go only to a confirmed one"
            return settings_page(request, who, user, {"error": error}, 400)
        store.set_reply_emails(user.id, on)
        changed = "replies-on" if on else "replies-off"
        return RedirectResponse(f"/account/settings?changed={changed}#reply-emails", 303)

    @router.post("/account/delete")
    def delete_account(
        request: Request,
        who: CurrentViewer,
        user: SettingsUser,
        current: str = Form("", max_length=FIELD_MAX_CHARS),
    ) -> Response:
        password_guard(request, user)
        try:
            accounts.delete_account(user, current)
        except AuthError as error:
            return settings_page(request, who, user, {"error": str(error)}, 403)
        response = RedirectResponse("/", status_code=303)
        clear_session_cookie(response, request)
        return response

    @router.get("/account/export")
    def export(user: SignedInUser) -> Response:
        """Everything stored about the viewer, as a JSON download."""
        body = json.dumps(accounts.export(user), ensure_ascii=False, indent=2)
        filename = f"papertide-{user.username}.json"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(body, media_type="application/json", headers=headers)


def logged_in(
    accounts: AccountService, request: Request, user: User, target: str | None
) -> Response:
    """Open a session for `user` and go on to `target` (a local path) with its cookie."""
    response = RedirectResponse(safe_next(target), status_code=303)
    set_session_cookie(response, request, accounts.open_session(user), SESSION_TTL_S)
    return response
