"""`papertide users` through the click runner on a real SQLite store: each command changes the
store and writes an audit entry with actor "cli"."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from papertide.cli import main
from papertide.clock import SystemClock
from papertide.store.sqlite import SqliteStore

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "users.db")
    assert CliRunner().invoke(main, ["init", "--db", path]).exit_code == 0
    return path


def run(db: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["users", *args, "--db", db], input=stdin)


def audit(db: str) -> list[tuple[str, str, str]]:
    store = SqliteStore(db, SystemClock())
    try:
        return [(e.actor, e.action, e.target) for e in reversed(store.audit_log(100))]
    finally:
        store.close()


def test_add_list_role_suspend_and_delete_are_audited(db):
    assert run(db, "add", "ada", "--email", "ada@lab.org", "--password", PASSWORD).exit_code == 0
    assert run(db, "add", "bob", "--password", PASSWORD).exit_code == 0
    listed = json.loads(run(db, "list", "--json").stdout)
    assert [(u["username"], u["role"]) for u in listed] == [("ada", "curator"), ("bob", "member")]
    assert run(db, "list", "ad").stdout.splitlines() == ["ada  curator  ada@lab.org"]

    assert run(db, "role", "bob", "curator").stdout.strip() == "bob  curator  -"
    assert "suspended" in run(db, "suspend", "bob").stdout
    assert json.loads(run(db, "list", "bob", "--json").stdout)[0]["suspended_at"]
    assert "suspended" not in run(db, "suspend", "bob", "--undo").stdout
    assert run(db, "delete", "bob", stdin="n\n").exit_code == 1
    assert run(db, "delete", "bob", "--yes").stdout.strip() == "deleted bob"
    assert [u["username"] for u in json.loads(run(db, "list", "--json").stdout)] == ["ada"]
    assert audit(db) == [
        ("cli", "add-user", "user:ada"),
        ("cli", "add-user", "user:bob"),
        ("cli", "role-curator", "user:bob"),
        ("cli", "suspend", "user:bob"),
        ("cli", "unsuspend", "user:bob"),
        ("cli", "delete-user", "user:bob"),
    ]


def test_the_last_curator_keeps_the_role_and_errors_are_one_line(db):
    run(db, "add", "ada", "--password", PASSWORD)
    demoted = run(db, "role", "ada", "member")
    assert demoted.exit_code == 1
    assert "last curator" in demoted.output
    missing = run(db, "suspend", "nobody")
    assert missing.exit_code == 1
    assert "no user named 'nobody'" in missing.output
    weak = run(db, "add", "eve", "--password", "password")
    assert weak.exit_code == 1
    assert "Traceback" not in weak.output


def test_invite_shows_its_link_once_and_stores_only_a_hash(db):
    made = run(db, "invite", "--uses", "3", "--days", "2")
    assert made.exit_code == 0, made.output
    first, link = made.stdout.splitlines()
    assert first.startswith("invite 1: 3 use(s) until ")
    token = link.split("/signup?invite=")[1]
    store = SqliteStore(db, SystemClock())
    try:
        (invite,) = store.invites(10)
        assert (invite.max_uses, invite.uses) == (3, 0)
        assert store.invite_for(token) is None  # the token itself is not a key
    finally:
        store.close()
    assert audit(db) == [("cli", "invite", "invite:1")]
    assert run(db, "invite", "--uses", "0").exit_code == 1


def test_invites_lists_each_invite_with_its_state(db):
    assert run(db, "invite", "--uses", "2").exit_code == 0
    assert run(db, "invite").exit_code == 0
    store = SqliteStore(db, SystemClock())
    try:
        assert store.revoke_invite(2)
    finally:
        store.close()
    listed = run(db, "invites")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("invite 2  revoked  0/1 used  until ") and lines[0].endswith(
        "by cli"
    )
    assert lines[1].startswith("invite 1  open  0/2 used")
    as_json = json.loads(run(db, "invites", "--json").stdout)
    assert [(i["id"], i["state"], i["max_uses"]) for i in as_json] == [
        (2, "revoked", 1),
        (1, "open", 2),
    ]
    assert as_json[0]["revoked_at"] is not None and as_json[1]["revoked_at"] is None
