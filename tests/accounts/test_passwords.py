"""The password policy and argon2id hashing."""

import pytest
from argon2 import PasswordHasher

from hsm.accounts import passwords
from hsm.accounts.models import User
from tests.accounts.conftest import PASSWORD, sign_in


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def test_too_short_is_refused_with_a_clear_message():
    assert "at least 12 characters" in passwords.password_problem("short-one")


def test_too_long_is_refused_before_hashing(monkeypatch):
    def never(*_args):
        raise AssertionError("a too-long password reached the estimator or the hasher")

    class NoHasher:
        hash = verify = staticmethod(never)

    monkeypatch.setattr(passwords, "zxcvbn", never)
    monkeypatch.setattr(passwords, "hasher", NoHasher())
    assert "128 characters or fewer" in passwords.password_problem("x" * 129)
    with pytest.raises(ValueError):
        passwords.hash_password("x" * 129)


@pytest.mark.parametrize("weak", ["password1234", "qwertyuiop123", "aaaaaaaaaaaaaa"])
def test_common_passwords_are_refused(weak):
    assert "too easy to guess" in passwords.password_problem(weak)


def test_the_persons_own_name_and_email_count_as_guessable():
    candidate = "caseylindqvist"
    assert passwords.password_problem(candidate) is None
    assert "too easy to guess" in passwords.password_problem(
        candidate, ("casey.lindqvist@example.org", "Casey Lindqvist")
    )


def test_no_composition_rules_a_long_passphrase_is_fine():
    assert passwords.password_problem("lantern orchard pebble tuesday") is None
    assert passwords.password_problem(PASSWORD) is None


def test_hashes_are_argon2id_and_verify():
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "x")
    assert not passwords.verify_password(None, PASSWORD)
    assert not passwords.verify_password("not a hash", PASSWORD)


def test_sign_in_rehashes_when_the_parameters_changed(client, staff, db):
    user = staff()
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user.password_hash = old
    db.session.commit()
    assert passwords.needs_rehash(old)

    assert sign_in(client, user.email).status_code == 303
    db.session.expire_all()
    new = db.session.get(User, user.id).password_hash
    assert new != old
    assert new.startswith("$argon2id$")
    assert not passwords.needs_rehash(new)
