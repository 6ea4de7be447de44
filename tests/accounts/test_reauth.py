"""A signed-in session is not proof enough: changing two-step sign-in asks for the password.

Replacing MFA, turning it off and making new recovery codes each need the current password;
without it nothing changes (the old secret and codes keep working), and wrong guesses count
towards the same per-account throttle as sign-in.
"""

import re

import pyotp
import pytest
import sqlalchemy as sa

from hsm.accounts import mfa
from hsm.accounts.models import RecoveryCode, User
from hsm.audit import AuditEntry
from tests.accounts.conftest import PASSWORD, sign_in
from tests.helpers import post, post_prefixed, totp_now

WRONG = "not-my-password-at-all"


@pytest.fixture
def signed_in(client, mfa_user, db):
    """``client`` signed in with a TOTP as ``mfa_user``, who holds known recovery codes."""
    codes = mfa.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=mfa_user.id, code_hash=mfa.hash_recovery_code(c)) for c in codes
    )
    db.session.commit()
    sign_in(client, mfa_user.email)
    response = post(client, "/staff/login/code", {"code": totp_now(mfa_user)},
                    token_from="/staff/login/code")
    assert response.status_code == 303
    return mfa_user, codes


def assert_old_factor_still_works(app, db, user_id, secret, codes):
    """Nothing changed: the same secret, the same codes, and one of them still signs in."""
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.mfa_enabled and user.mfa_secret == secret
    stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash)
                                    .where(RecoveryCode.user_id == user_id)).all())
    assert stored == {mfa.hash_recovery_code(c) for c in codes}
    other = app.test_client()
    sign_in(other, user.email)
    response = post(other, "/staff/login/code", {"code": codes[-1]},
                    token_from="/staff/login/code")
    assert response.status_code == 303
    assert other.get("/staff/").status_code == 200


def refusals(db):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "mfa.change_refused")
    ).all()


def replace_mfa(client, password):
    page = client.get("/staff/mfa/setup")
    assert b'id="current_password"' in page.data
    grouped = re.search(rb'id="mfa-secret">([A-Z2-7 ]+)<', page.data).group(1)
    secret = grouped.decode().replace(" ", "")
    code = pyotp.TOTP(secret).now()
    response = post(client, "/staff/mfa/setup",
                    {"code": code, "current_password": password}, token_from="/staff/account")
    return response, secret, code


@pytest.mark.parametrize(("password", "message"), [
    ("", b"Enter your current password."),
    (WRONG, b"That is not your current password."),
])
def test_replacing_mfa_without_the_right_password_changes_nothing(
    app, client, signed_in, db, password, message
):
    user, codes = signed_in
    old_secret = user.mfa_secret
    response, _, code = replace_mfa(client, password)
    assert response.status_code == 200
    assert message in response.data
    assert b'href="#current_password"' in response.data  # the error summary links to it
    assert f'value="{code}"'.encode() in response.data  # the code typed is kept
    assert not password or password.encode() not in response.data  # never the password
    assert_old_factor_still_works(app, db, user.id, old_secret, codes)
    assert len(refusals(db)) == (1 if password else 0)


def test_replacing_mfa_with_the_password_works(client, signed_in, db):
    user, codes = signed_in
    old_secret = user.mfa_secret
    response, new_secret, _ = replace_mfa(client, PASSWORD)
    assert response.status_code == 200
    assert len(re.findall(rb"<code>([a-z2-9-]{19})</code>", response.data)) == 10
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.mfa_secret == new_secret != old_secret
    hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash)).all())
    assert not hashes & {mfa.hash_recovery_code(c) for c in codes}
    assert "mfa.replaced" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_enrolling_while_signed_in_also_asks_for_the_password(client, staff, db):
    """In the demo configuration a signed-in user without MFA may switch it on: same risk."""
    user = staff()
    sign_in(client, user.email)
    response, _, _ = replace_mfa(client, WRONG)
    assert b"That is not your current password." in response.data
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled


def new_codes(client, password):
    return post_prefixed(client, "/staff/account/recovery-codes", "codes",
                         {"current_password": password}, token_from="/staff/account")


def turn_off(client, password):
    return post_prefixed(client, "/staff/account/mfa/off", "off",
                         {"current_password": password}, token_from="/staff/account")


@pytest.mark.parametrize("action", [new_codes, turn_off], ids=["new-codes", "mfa-off"])
@pytest.mark.parametrize(("password", "message"), [
    ("", b"Enter your current password."),
    (WRONG, b"That is not your current password."),
])
def test_account_actions_without_the_right_password_change_nothing(
    app, client, signed_in, db, action, password, message
):
    user, codes = signed_in
    old_secret = user.mfa_secret
    response = action(client, password)
    assert response.status_code == 200
    assert message in response.data
    prefix = "codes" if action is new_codes else "off"
    assert f'href="#{prefix}-current_password"'.encode() in response.data
    assert b'aria-invalid="true"' in response.data
    assert b"<code>" not in response.data  # no new codes shown
    assert not password or password.encode() not in response.data
    assert_old_factor_still_works(app, db, user.id, old_secret, codes)


def test_new_recovery_codes_with_the_password_replace_the_old_ones(client, signed_in, db):
    user, codes = signed_in
    response = new_codes(client, PASSWORD)
    assert response.status_code == 200
    shown = re.findall(rb"<code>([a-z2-9-]{19})</code>", response.data)
    assert len(shown) == 10
    hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash)).all())
    assert hashes == {mfa.hash_recovery_code(c.decode()) for c in shown}
    assert not hashes & {mfa.hash_recovery_code(c) for c in codes}


def test_turning_mfa_off_with_the_password_works(client, signed_in, db):
    user, _ = signed_in
    response = turn_off(client, PASSWORD)
    assert response.status_code == 303
    assert b"Two-step sign-in is off" in client.get("/staff/account").data
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    assert "mfa.disabled" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_wrong_passwords_count_towards_the_account_throttle(app, client, signed_in, db):
    user, codes = signed_in
    old_secret = user.mfa_secret
    for action in (new_codes, turn_off, new_codes, turn_off):
        assert b"That is not your current password." in action(client, WRONG).data
    response, _, _ = replace_mfa(client, WRONG)
    assert b"That is not your current password." in response.data
    # The 6th try inside the window is refused, even with the right password...
    assert b"Too many tries" in turn_off(client, PASSWORD).data
    db.session.expire_all()
    assert db.session.get(User, user.id).mfa_secret == old_secret
    # ... and so is signing in from the same address in another browser: one throttle per
    # account and address (tests/accounts/test_throttle.py: another address still gets in).
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    assert elsewhere.get("/staff/login/code").headers.get("Location") == "/staff/login"
    assert "login.throttled" in db.session.scalars(sa.select(AuditEntry.action)).all()
    # Each wrong guess is audited in the holder's name, saying what was tried, never the guess.
    entries = refusals(db)
    assert len(entries) == 5
    assert {e.detail_dict()["change"] for e in entries} == {
        "recovery_codes", "disable", "replace"}
    assert all(e.actor_id == user.id for e in entries)
    assert not any(WRONG in (e.detail or "") for e in entries)
