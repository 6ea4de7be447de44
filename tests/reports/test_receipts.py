"""Receipt codes: alphabet, length, parsing, and one index lookup plus one slow hash."""

import re

import pytest

from hsm.reports import operations, receipts

LOOK_ALIKES = set("0O1IL")


def test_codes_are_long_and_free_of_look_alikes():
    for _ in range(200):
        code = receipts.new_code()
        assert len(code.raw) == receipts.CODE_LENGTH >= 16
        assert not LOOK_ALIKES & set(code.raw)
        assert set(code.raw) <= set(receipts.ALPHABET)
        assert re.fullmatch(r"([A-Z2-9]{4}-){4}[A-Z2-9]{4}", code.grouped())


def test_codes_are_random():
    assert len({receipts.new_code().raw for _ in range(500)}) == 500


@pytest.mark.parametrize(
    "typed",
    ["ABCD-EFGH-JKMN-PQRS-TVWX", "abcd efgh jkmn pqrs tvwx", " ABCDEFGHJKMNPQRSTVWX ",
     "abcd-efgh jkmn_pqrs.tvwx"],
)
def test_parse_accepts_dashes_spaces_and_lower_case(typed):
    code = receipts.parse(typed)
    assert code == receipts.ReceiptCode("ABCDEF", "GHJKMNPQRSTVWX")


@pytest.mark.parametrize(
    "typed", ["", None, "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRS-TVWXY", "0BCD-EFGH-JKMN-PQRS-TVWX",
              "ABCD-EFGH-JKMN-PQRS-TVW!"],
)
def test_parse_rejects_malformed_codes(typed):
    assert receipts.parse(typed) is None


def test_secret_is_stored_only_as_argon2_and_needs_the_pepper():
    code = receipts.new_code()
    stored = receipts.hash_secret(code.secret, "pepper-one")
    assert stored.startswith("$argon2id$")
    assert code.secret not in stored
    assert receipts.verify_secret(stored, code.secret, "pepper-one")
    assert not receipts.verify_secret(stored, code.secret, "pepper-two")
    assert not receipts.verify_secret(stored, receipts.new_code().secret, "pepper-one")
    assert not receipts.verify_secret(None, code.secret, "pepper-one")
    assert not receipts.verify_secret("not a hash", code.secret, "pepper-one")


def test_lookup_is_one_indexed_query_and_at_most_one_slow_hash(
    app, make_report, count_queries, monkeypatch
):
    report, grouped = make_report()
    pepper = app.config["HSM_RECEIPT_PEPPER"]
    calls = []
    real = receipts._hasher

    class CountingHasher:
        def verify(self, *args):
            calls.append(1)
            return real.verify(*args)

    monkeypatch.setattr(receipts, "_hasher", CountingHasher())
    with count_queries() as counter:
        found = operations.find_by_receipt(receipts.parse(grouped), pepper)
    assert found.id == report.id
    assert counter.count == 1
    assert "lookup_id" in counter.statements[0]
    assert len(calls) == 1

    calls.clear()
    wrong = receipts.parse(grouped)
    wrong_secret = receipts.ReceiptCode(wrong.lookup_id, "2" * 14)
    assert operations.find_by_receipt(wrong_secret, pepper) is None
    unknown = receipts.ReceiptCode("ZZZZZZ", wrong.secret)
    assert operations.find_by_receipt(unknown, pepper) is None
    # A wrong secret and an unknown lookup id cost one hash each: timing tells nothing.
    assert len(calls) == 2


def test_codes_are_hashed_with_the_owasp_profile_for_long_random_secrets():
    stored = receipts.hash_secret(receipts.new_code().secret, "pepper")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_code_hashed_with_the_old_defaults_still_verifies():
    """Reports sent before the change keep their hash: argon2 encodes its parameters in it."""
    from argon2 import PasswordHasher

    code = receipts.new_code()
    old = PasswordHasher().hash(receipts._peppered(code.secret, "pepper"))  # noqa: SLF001
    assert old.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert receipts.verify_secret(old, code.secret, "pepper")
    assert not receipts.verify_secret(old, receipts.new_code().secret, "pepper")


def test_staff_passwords_keep_argon2_cffis_defaults():
    from hsm.accounts import passwords

    assert passwords.hash_password("a long enough passphrase").startswith(
        "$argon2id$v=19$m=65536,t=3,p=4$"
    )
