"""Receipt codes: how a reporter, named or anonymous, finds their report again.

A code is 20 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U). Its first
6 characters are a *lookup id*, stored in a unique indexed column; the other 14 are the
*secret*, stored only as an argon2 hash (of an HMAC under the server's pepper). Finding a
report is one index lookup plus at most one slow hash; an unknown lookup id still costs one
dummy hash, so timing says nothing about which ids exist. The code is shown once, never
emailed and never put in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from hsm.tokens import new_token, token_hash

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LOOKUP_LENGTH = 6
SECRET_LENGTH = 14
CODE_LENGTH = LOOKUP_LENGTH + SECRET_LENGTH
GROUP = 4
_SEPARATORS = re.compile(r"[\s\-_.·]+")

# A receipt code's secret is 14 random characters from 30 (about 68 bits), peppered with a
# key the database does not hold: unlike a password, it cannot be found in a dictionary, so
# the slow hash only has to stop a brute force after a theft of both the database and the
# pepper. OWASP's first argon2id profile (19 MiB, 2 passes, 1 lane) is that, at a fifth of
# argon2-cffi's default work (64 MiB x 3 passes; lanes split the work, they do not lower it)
# and a third of its memory per request. Staff passwords keep the defaults
# (hsm/accounts/passwords.py). A hash holds its own parameters, so codes hashed before this
# change keep verifying (at their old cost).
RECEIPT_MEMORY_KIB = 19 * 1024
RECEIPT_PASSES = 2
RECEIPT_LANES = 1
_hasher = PasswordHasher(
    time_cost=RECEIPT_PASSES,
    memory_cost=RECEIPT_MEMORY_KIB,
    parallelism=RECEIPT_LANES,
    type=Type.ID,
)


@dataclass(frozen=True)
class ReceiptCode:
    lookup_id: str
    secret: str

    @property
    def raw(self) -> str:
        return self.lookup_id + self.secret

    def grouped(self) -> str:
        """For people: XXXX-XXXX-XXXX-XXXX-XXXX."""
        return group(self.raw)


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> ReceiptCode:
    """A fresh random code (the caller makes sure the lookup id is not taken)."""
    return ReceiptCode(_random(LOOKUP_LENGTH), _random(SECRET_LENGTH))


def group(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def parse(typed: str | None) -> ReceiptCode | None:
    """The code a person typed, with or without dashes or spaces, in any case; None if malformed."""
    if not typed:
        return None
    cleaned = _SEPARATORS.sub("", typed).upper()
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return ReceiptCode(cleaned[:LOOKUP_LENGTH], cleaned[LOOKUP_LENGTH:])


def _peppered(secret: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def hash_secret(secret: str, pepper: str) -> str:
    """The stored form of the secret part: argon2id over an HMAC under the server pepper."""
    return _hasher.hash(_peppered(secret, pepper))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def verify_secret(stored_hash: str | None, secret: str, pepper: str) -> bool:
    """Check ``secret`` against ``stored_hash``; with no hash, spend the same time and fail."""
    if stored_hash is None:
        try:
            _hasher.verify(_dummy_hash(), _peppered(secret, pepper))
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return _hasher.verify(stored_hash, _peppered(secret, pepper))
    except (VerificationError, InvalidHashError):
        return False


# --- the one-time submission key ---------------------------------------------------------
# A random value in a hidden field of the report form, made when the form is first shown and
# kept while the same form is shown again. Sending the same form twice (a double tap, a
# refreshed receipt page) carries the same key, so the report is stored once.

_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_submission_key() -> str:
    return new_token()[0]


def valid_submission_key(value: object) -> bool:
    return isinstance(value, str) and bool(_SUBMISSION_KEY.match(value))


def submission_key_hash(key: str, binding: str = "") -> str:
    """The stored form of a submission key (256 random bits, like any one-time token), bound
    to what it was sent with (``submission_binding``): the same key sent from another browser
    session, to another centre or with other words is another key."""
    return token_hash(f"{key}\0{binding}" if binding else key)


def submission_binding(pepper: str, session_secret: str, centre: str, content: object) -> str:
    """What a repeat must share with the first send: the browser session (its CSRF secret),
    the centre and every answer. Keyed, so the stored hash reveals none of them."""
    answers = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    message = "\0".join((session_secret, centre, answers)).encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()
