"""`papertide users`: what a curator does from the admin pages, from the command line. Each
command builds the AdminService via wiring and makes one call; the audit log names the actor
"cli"."""

from __future__ import annotations

import click

from papertide.cli.common import db_option, json_option, open_store, print_json, settings_for
from papertide.community.admin import invite_link
from papertide.models import Invite, User
from papertide.wiring import build_admin


def _user_json(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "email": user.email,
        "role": "curator" if user.is_admin else "member",
        "created_at": user.created_at.isoformat(),
        "suspended_at": user.suspended_at.isoformat() if user.suspended_at else None,
    }


def _invite_json(invite: Invite, state: str) -> dict[str, object]:
    return {
        "id": invite.id,
        "state": state,
        "uses": invite.uses,
        "max_uses": invite.max_uses,
        "created_by": invite.created_by,
        "created_at": invite.created_at.isoformat(),
        "expires_at": invite.expires_at.isoformat(),
        "revoked_at": invite.revoked_at.isoformat() if invite.revoked_at else None,
    }


def _user_line(user: User) -> str:
    role = "curator" if user.is_admin else "member"
    suspended = f"  suspended {user.suspended_at:%Y-%m-%d}" if user.suspended_at else ""
    return f"{user.username}  {role}  {user.email or '-'}{suspended}"


@click.group()
def users() -> None:
    """Users of the site: list, add, change a role, suspend, delete, invite, list invites.

    Every change is written to the audit log (actor "cli"), shown on /admin/audit.
    """


@users.command("list")
@click.argument("query", default="")
@db_option
@json_option
def list_users(query: str, db: str | None, as_json: bool) -> None:
    """List users, or those whose name or email contains QUERY."""
    with open_store(db) as store:
        found = build_admin(settings_for(db), store).users(query)
    if as_json:
        print_json([_user_json(user) for user in found])
        return
    for user in found:
        click.echo(_user_line(user))


@users.command()
@click.argument("username")
@click.option("--email", default=None, help="The user's email address.")
@click.password_option(help="The new user's password (asked for when not given).")
@db_option
def add(username: str, email: str | None, password: str, db: str | None) -> None:
    """Add a user (no sign-up policy applies; the password policy does)."""
    with open_store(db) as store:
        user = build_admin(settings_for(db), store).add_user(None, username, password, email)
    click.echo(f"added {_user_line(user)}")


@users.command()
@click.argument("username")
@click.argument("role", type=click.Choice(["curator", "member"]))
@db_option
def role(username: str, role: str, db: str | None) -> None:
    """Make USERNAME a curator or a member (a site always keeps one curator)."""
    with open_store(db) as store:
        user = build_admin(settings_for(db), store).set_role(None, username, role == "curator")
    click.echo(_user_line(user))


@users.command()
@click.argument("username")
@click.option("--undo", is_flag=True, help="Unsuspend the user instead.")
@db_option
def suspend(username: str, undo: bool, db: str | None) -> None:
    """Suspend USERNAME: it cannot log in, and its sessions and API tokens stop at once."""
    with open_store(db) as store:
        user = build_admin(settings_for(db), store).suspend(None, username, not undo)
    click.echo(_user_line(user))


@users.command()
@click.argument("username")
@click.confirmation_option(prompt="Delete this user and what it made? This cannot be undone.")
@db_option
def delete(username: str, db: str | None) -> None:
    """Delete USERNAME with its votes, ratings and comments (cannot be undone)."""
    with open_store(db) as store:
        build_admin(settings_for(db), store).delete_user(None, username)
    click.echo(f"deleted {username}")


@users.command()
@click.option("--uses", default=1, show_default=True, help="How many sign-ups it allows.")
@click.option("--days", default=7, show_default=True, help="How many days it lasts.")
@db_option
def invite(uses: int, days: int, db: str | None) -> None:
    """Create an invite link (shown once; only its hash is stored)."""
    settings = settings_for(db)
    with open_store(db) as store:
        made, token = build_admin(settings, store).create_invite(None, uses, days)
    click.echo(f"invite {made.id}: {uses} use(s) until {made.expires_at:%Y-%m-%d %H:%M} UTC")
    click.echo(invite_link(settings.public_url, token))


@users.command()
@json_option
@db_option
def invites(as_json: bool, db: str | None) -> None:
    """List the newest invites with their state (open, used, expired, revoked)."""
    with open_store(db) as store:
        found = build_admin(settings_for(db), store).invite_states()
    if as_json:
        print_json([_invite_json(invite, state) for invite, state in found])
        return
    for invite, state in found:
        click.echo(
            f"invite {invite.id}  {state}  {invite.uses}/{invite.max_uses} used"
            f"  until {invite.expires_at:%Y-%m-%d %H:%M} UTC  by {invite.created_by or 'cli'}"
        )
