"""TOTP: enrolment, the challenge, replay, recovery codes, and MFA required in production."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from hsm.accounts import mfa, operations
from hsm.accounts.models import RecoveryCode, User
from hsm.audit import AuditEntry
from tests.accounts.conftest import PASSWORD, sign_in
from tests.helpers import post, post_prefixed, totp_now


@pytest.fixture
def mfa_required(app):
    app.config["HSM_MFA_REQUIRED"] = True
    yield
    app.config["HSM_MFA_REQUIRED"] = False


def test_a_code_is_valid_one_step_either_side_and_never_twice():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)
    step = totp.timecode(now)
    assert mfa.matching_step(secret, totp.generate_otp(step), now) == step
    assert mfa.matching_step(secret, totp.generate_otp(step - 1), now) == step - 1
    assert mfa.matching_step(secret, totp.generate_otp(step + 2), now) is None
    assert mfa.matching_step(secret, totp.generate_otp(step), now, last_step=step) is None
    assert mfa.matching_step(secret, totp.generate_otp(step - 1), now, last_step=step) is None
    assert mfa.matching_step(secret, "12345", now) is None
    assert mfa.matching_step(secret, "abcdef", now) is None


def test_the_qr_code_is_svg_without_inline_styles():
    svg = mfa.qr_svg(mfa.provisioning_uri(pyotp.random_base32(), "a@example.org"), "QR")
    assert svg.startswith("<svg") and "style" not in svg


def test_recovery_codes_are_random_and_stored_hashed():
    codes = mfa.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", c) for c in codes)
    assert mfa.hash_recovery_code(codes[0].upper()) == mfa.hash_recovery_code(codes[0])


def test_password_then_code_signs_in(client, mfa_user, db):
    response = sign_in(client, mfa_user.email)
    assert response.headers["Location"] == "/staff/login/code"
    assert client.get("/staff/").status_code == 302  # half-open: nothing is reachable yet
    response = post(client, "/staff/login/code", {"code": totp_now(mfa_user)},
                    token_from="/staff/login/code")
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200


def test_a_replayed_code_is_refused(app, client, mfa_user, db):
    code = totp_now(mfa_user)
    sign_in(client, mfa_user.email)
    post(client, "/staff/login/code", {"code": code}, token_from="/staff/login/code")
    assert client.get("/staff/").status_code == 200

    attacker = app.test_client()
    sign_in(attacker, mfa_user.email)
    replay = post(attacker, "/staff/login/code", {"code": code}, token_from="/staff/login/code")
    assert replay.status_code == 200
    assert b"That code did not work" in replay.data
    assert attacker.get("/staff/").status_code == 302
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "mfa.failed")
    ) == 1


def test_a_recovery_code_works_once(app, client, mfa_user, db):
    codes = mfa.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=mfa_user.id, code_hash=mfa.hash_recovery_code(c)) for c in codes
    )
    db.session.commit()
    sign_in(client, mfa_user.email)
    ok = post(client, "/staff/login/code", {"code": codes[3].upper()},
              token_from="/staff/login/code")
    assert ok.status_code == 303
    assert client.get("/staff/").status_code == 200

    again = app.test_client()
    sign_in(again, mfa_user.email)
    refused = post(again, "/staff/login/code", {"code": codes[3]}, token_from="/staff/login/code")
    assert b"That code did not work" in refused.data
    assert again.get("/staff/").status_code == 302


def test_code_failures_count_towards_the_account_throttle(client, mfa_user):
    sign_in(client, mfa_user.email)
    for _ in range(5):
        post(client, "/staff/login/code", {"code": "000000"}, token_from="/staff/login/code")
    refused = post(client, "/staff/login/code", {"code": totp_now(mfa_user)},
                   token_from="/staff/login/code")
    assert b"Too many tries" in refused.data
    assert client.get("/staff/").status_code == 302


def test_the_code_page_is_only_for_someone_half_signed_in(client):
    assert client.get("/staff/login/code").headers["Location"] == "/staff/login"
    assert client.get("/staff/mfa/setup").headers["Location"] == "/staff/login"


def enrol(client, db, user_id, token_from="/staff/mfa/setup", password=None):
    """Enrol through the page; ``password`` when signed in (it is asked again there)."""
    page = client.get("/staff/mfa/setup")
    assert page.status_code == 200
    assert b"<svg" in page.data
    # The key is printed for typing into the app by hand; the test reads it like a person.
    grouped = re.search(rb'id="mfa-secret">([A-Z2-7 ]+)<', page.data).group(1)
    secret = grouped.decode().replace(" ", "")
    with client.session_transaction() as session:
        assert session["mfa_pending"] and secret not in session["mfa_pending"]  # encrypted
    data = {"code": pyotp.TOTP(secret).now()}
    if password is not None:
        data["current_password"] = password
    return post(client, "/staff/mfa/setup", data, token_from=token_from), secret


def test_enrolment_when_required_is_the_second_step_of_the_first_sign_in(
    client, staff, db, mfa_required
):
    user = staff()
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/staff/mfa/setup"
    assert client.get("/staff/").status_code == 302
    page = client.get("/staff/mfa/setup")
    assert b"MFA is optional" not in page.data
    assert b"current_password" not in page.data  # the password was just typed
    response, secret = enrol(client, db, user.id)
    assert response.status_code == 200
    codes = re.findall(rb"<code>([a-z2-9-]{19})</code>", response.data)
    assert len(codes) == 10
    assert client.get("/staff/").status_code == 200
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.mfa_secret == secret
    # encrypted at rest: the raw column is not the secret
    raw = db.session.execute(sa.text('SELECT mfa_secret FROM "user" WHERE id = :id'),
                             {"id": user.id}).scalar()
    assert secret not in raw
    hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and all(c.decode() not in hashes for c in codes)


def test_when_mfa_is_required_nobody_gets_in_with_a_password_alone(client, staff, mfa_required):
    user = staff()
    sign_in(client, user.email)
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/account").status_code == 302


def test_in_the_demo_configuration_mfa_is_optional_and_says_so(client, staff, db):
    user = staff()
    assert sign_in(client, user.email).headers["Location"] == "/staff/"
    assert b"MFA is optional in this demo configuration" in client.get("/staff/").data
    assert b"MFA is optional in this demo configuration" in client.get("/staff/mfa/setup").data
    response, _ = enrol(client, db, user.id, token_from="/staff/account", password=PASSWORD)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).mfa_enabled
    assert "mfa.enabled" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_a_wrong_enrolment_code_keeps_mfa_off_and_says_why(client, staff, db):
    user = staff()
    sign_in(client, user.email)
    client.get("/staff/mfa/setup")
    response = post(client, "/staff/mfa/setup",
                    {"code": "000000", "current_password": PASSWORD}, token_from="/staff/account")
    assert response.status_code == 200
    assert b"That code did not work" in response.data
    assert b'href="#code"' in response.data
    db.session.expire_all()
    assert not db.session.get(User, user.id).mfa_enabled


def test_someone_half_signed_in_with_mfa_cannot_re_enrol(client, mfa_user):
    sign_in(client, mfa_user.email)
    assert client.get("/staff/mfa/setup").headers["Location"] == "/staff/login"


def test_new_recovery_codes_replace_the_old_ones(client, staff, db):
    user = staff()
    sign_in(client, user.email)
    enrol(client, db, user.id, token_from="/staff/account", password=PASSWORD)
    old = set(db.session.scalars(sa.select(RecoveryCode.code_hash)).all())
    response = post_prefixed(client, "/staff/account/recovery-codes", "codes",
                             {"current_password": PASSWORD}, token_from="/staff/account")
    assert response.status_code == 200
    new = set(db.session.scalars(sa.select(RecoveryCode.code_hash)).all())
    assert len(new) == 10 and not (old & new)


def test_turning_mfa_off_is_refused_when_it_is_required(client, mfa_user, db, app):
    sign_in(client, mfa_user.email)
    post(client, "/staff/login/code", {"code": totp_now(mfa_user)},
         token_from="/staff/login/code")
    def turn_off():
        return post_prefixed(client, "/staff/account/mfa/off", "off",
                             {"current_password": PASSWORD}, token_from="/staff/account")

    app.config["HSM_MFA_REQUIRED"] = True
    try:
        assert turn_off().status_code == 403
    finally:
        app.config["HSM_MFA_REQUIRED"] = False
    assert turn_off().status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, mfa_user.id).mfa_enabled


def test_old_time_steps_are_not_accepted_after_a_newer_one(mfa_user, db):
    now = datetime.now(UTC)
    totp = pyotp.TOTP(mfa_user.mfa_secret)
    newer = totp.generate_otp(totp.timecode(now))
    older = totp.generate_otp(totp.timecode(now - timedelta(seconds=30)))
    def check(code):
        return operations.check_second_factor(mfa_user, code, address_key="a", now=now)

    assert check(newer).outcome.value == "ok"
    assert check(older).outcome.value == "failed"


def test_two_requests_racing_with_one_code_cannot_both_pass(mfa_user, db):
    now = datetime.now(UTC)
    totp = pyotp.TOTP(mfa_user.mfa_secret)
    step = totp.timecode(now)
    # Another request has just accepted this code; this request's copy of the user is older.
    db.session.execute(sa.update(User).where(User.id == mfa_user.id)
                       .values(mfa_last_step=step).execution_options(synchronize_session=False))
    assert mfa_user.mfa_last_step is None
    result = operations.check_second_factor(mfa_user, totp.generate_otp(step), address_key="a",
                                            now=now)
    assert result.outcome.value == "failed"
