"""Nobody can keep a staff account locked (finding 6 of the outside test).

Failures count per account *and* address: a few wrong tries lock that pair, the account as a
whole only at a much higher count, and the owner, from another address, still gets in. The
owner is told after signing in how many failures there were since the last time. Addresses
are stored only as a keyed hash.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hsm.accounts import operations
from hsm.accounts.models import SignInFailure, User
from hsm.audit import AuditEntry
from tests.accounts.conftest import PASSWORD
from tests.helpers import post, totp_now

ATTACKER = "198.51.100.7"
OWNER = "203.0.113.20"
GENERIC = b"Those details did not work"


def sign_in_from(client, address: str, email: str, password: str = PASSWORD):
    return post(client, "/staff/login", {"email": email, "password": password},
                environ_base={"REMOTE_ADDR": address})


def test_five_wrong_tries_from_one_address_do_not_lock_the_owner_out_elsewhere(
    app, client, staff, db
):
    user = staff()
    for _ in range(6):
        assert GENERIC in sign_in_from(client, ATTACKER, user.email, "wrong-guess-123").data
    # The attacker's address is locked, even with the right password ...
    locked = sign_in_from(app.test_client(), ATTACKER, user.email)
    assert GENERIC in locked.data
    assert "login.throttled" in db.session.scalars(sa.select(AuditEntry.action)).all()
    # ... while the owner, from their own address, signs in.
    owner = app.test_client()
    assert sign_in_from(owner, OWNER, user.email).status_code == 303
    assert owner.get("/staff/").status_code == 200


def test_the_whole_account_is_slowed_only_at_a_much_higher_count(app, staff, db):
    user = staff()
    now = datetime.now(UTC)
    # Failures spread over many addresses, each below the per-address limit.
    many = operations.ACCOUNT_FAILURES_ALLOWED - 1
    db.session.add_all(SignInFailure(user_id=user.id, address_key=f"address-{n % 50}",
                                     failed_at=now) for n in range(many))
    db.session.commit()
    assert operations.PAIR_FAILURES_ALLOWED * 10 <= operations.ACCOUNT_FAILURES_ALLOWED
    assert sign_in_from(app.test_client(), OWNER, user.email).status_code == 303
    db.session.add(SignInFailure(user_id=user.id, address_key="one-more", failed_at=now))
    db.session.commit()
    assert GENERIC in sign_in_from(app.test_client(), OWNER, user.email).data


def test_wrong_codes_lock_only_that_address_too(app, mfa_user, db):
    attacker = app.test_client()
    sign_in_from(attacker, ATTACKER, mfa_user.email)  # the password was right: the code step
    for _ in range(5):
        post(attacker, "/staff/login/code", {"code": "000000"}, token_from="/staff/login/code",
             environ_base={"REMOTE_ADDR": ATTACKER})
    refused = post(attacker, "/staff/login/code", {"code": totp_now(mfa_user)},
                   token_from="/staff/login/code", environ_base={"REMOTE_ADDR": ATTACKER})
    assert b"Too many tries" in refused.data
    owner = app.test_client()
    sign_in_from(owner, OWNER, mfa_user.email)
    code = post(owner, "/staff/login/code", {"code": totp_now(mfa_user, 1)},
                token_from="/staff/login/code", environ_base={"REMOTE_ADDR": OWNER})
    assert code.status_code == 303


def test_no_address_is_stored_only_a_keyed_hash(app, client, staff, db):
    user = staff()
    sign_in_from(client, ATTACKER, user.email, "wrong-guess-123")
    sign_in_from(client, OWNER, user.email, "wrong-guess-123")
    keys = db.session.scalars(sa.select(SignInFailure.address_key)).all()
    assert len(set(keys)) == 2
    for key in keys:
        assert ATTACKER not in key and OWNER not in key and len(key) == 32
    # Nowhere else either: not in the audit log, not in any text column of any table.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            assert ATTACKER not in repr(tuple(row)), table.name


def test_behind_a_proxy_the_forwarded_address_is_the_one_counted(make_app, staff, db):
    app = make_app({"HSM_PROXY_HOPS": 1})
    user = staff()
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(6):
        post(attacker, "/staff/login", {"email": user.email, "password": "wrong-guess-123"},
             headers={"X-Forwarded-For": ATTACKER})
    assert GENERIC in post(attacker, "/staff/login", {"email": user.email,
                                                      "password": PASSWORD},
                           headers={"X-Forwarded-For": ATTACKER}).data
    # Same proxy (same REMOTE_ADDR), another client behind it: not locked.
    response = post(owner, "/staff/login", {"email": user.email, "password": PASSWORD},
                    headers={"X-Forwarded-For": OWNER})
    assert response.status_code == 303


# --- the owner is told --------------------------------------------------------------------


def test_after_signing_in_the_owner_is_told_how_many_tries_failed(app, client, staff, db):
    user = staff()
    for _ in range(3):
        sign_in_from(app.test_client(), ATTACKER, user.email, "wrong-guess-123")
    response = sign_in_from(client, OWNER, user.email)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There were 3 failed attempts to sign in to your account" in page
    account = client.get("/staff/account").get_data(as_text=True)
    assert "there were 3 failed attempts" in account
    assert "Since then: 0 failed attempts." in account
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.failures_since_sign_in, stored.failures_before_sign_in) == (0, 3)
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "login.succeeded")).all()[-1]
    assert entry.detail_dict()["failures_before"] == 3

    # The next sign-in, with no failure in between, says nothing.
    other = app.test_client()
    response = sign_in_from(other, OWNER, user.email)
    assert "failed attempt" not in other.get(response.headers["Location"]).get_data(as_text=True)


def test_the_notice_is_in_the_owners_language(app, staff, db):
    user = staff()
    sign_in_from(app.test_client(), ATTACKER, user.email, "wrong-guess-123")
    for lang, words in (("nl", "mislukte poging"), ("fr", "tentative")):
        client = app.test_client()
        client.get(f"/staff/login?lang={lang}")
        response = sign_in_from(client, OWNER, user.email)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert words in page, lang
        db.session.execute(sa.update(User).values(failures_since_sign_in=1))
        db.session.commit()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(counts=st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=6),
       spread=st.integers(min_value=0, max_value=100))
def test_an_address_is_refused_only_for_its_own_failures_or_the_accounts_total(
    staff, db, counts, spread
):
    """Per address: refused at 5 of its own; every address: refused at 100 in all."""
    user = db.session.scalar(sa.select(User)) or staff()
    db.session.execute(sa.delete(SignInFailure))
    now = datetime.now(UTC)
    rows = [(f"a{i}", n) for i, n in enumerate(counts)] + [("elsewhere", spread)]
    db.session.add_all(SignInFailure(user_id=user.id, address_key=key, failed_at=now)
                       for key, n in rows for _ in range(n))
    db.session.commit()
    total = sum(n for _key, n in rows)
    for key, n in [*rows, ("owner", 0)]:
        expected = (n >= operations.PAIR_FAILURES_ALLOWED
                    or total >= operations.ACCOUNT_FAILURES_ALLOWED)
        assert operations.is_throttled(user, key, now) == expected
