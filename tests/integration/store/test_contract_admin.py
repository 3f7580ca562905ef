"""The admin store (users found, suspended, deleted; invites; audit log) behaves the same on
both engines (run with -m postgres for PostgreSQL)."""

from datetime import timedelta

from tests.integration.store.conftest import START


def test_find_suspend_and_delete_users(store):
    ada = store.create_user("Ada", "ada@lab.org", "h1")
    bob = store.create_user("bob", "bob@else.org", "h2")
    assert [u.username for u in store.find_users("LAB", 10)] == ["Ada"]
    assert [u.username for u in store.find_users("", 10)] == ["Ada", "bob"]
    store.save_session("s-bob", bob.id, START + timedelta(days=1))
    assert store.session_user("s-bob") == bob
    store.set_suspended(bob.id, True)
    assert store.session_user("s-bob") is None
    [found] = store.find_users("bob", 10)
    assert found.suspended_at is not None
    store.set_suspended(bob.id, False)
    assert store.find_users("bob", 10)[0].suspended_at is None
    store.delete_user(bob.id)
    assert [u.username for u in store.find_users("", 10)] == [ada.username]


def test_invites_and_audit_log(store):
    ada = store.create_user("ada", None, "h")
    invite = store.create_invite("hash1", ada.id, START + timedelta(days=2), 2)
    assert store.invite_for("hash1") == invite and invite.created_by == "ada"
    assert store.redeem_invite("hash1") and store.redeem_invite("hash1")
    assert not store.redeem_invite("hash1")  # both uses spent
    assert store.revoke_invite(invite.id)
    assert store.invites(10)[0].revoked_at is not None
    store.add_audit("ada", "suspend", "user:bob")
    store.add_audit("cli", "unsuspend", "user:bob", "note")
    assert [e.action for e in store.audit_log(10)] == ["unsuspend", "suspend"]
    [only] = store.audit_log(10, action="suspend")
    assert (only.actor, only.target, only.at) == ("ada", "user:bob", START)
