"""Password policy and hashing: argon2id, 12 to 128 characters, no guessable passwords.

The length is checked before anything is hashed, so a huge input never reaches argon2. There
are no composition rules (NIST SP 800-63B): a strength estimator (zxcvbn) refuses what an
attacker would guess early, including passwords built from the person's own name or email.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from hsm.i18n import _

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attacks"

# argon2-cffi's defaults are RFC 9106's low-memory profile, with Type.ID (argon2id).
hasher = PasswordHasher()
# Verifying against this keeps the time of a sign-in for an unknown account the same.
_DUMMY_HASH = hasher.hash("not a real password, only for even timing")


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """A plain, translated reason why ``password`` is not acceptable, or None if it is."""
    if len(password) < MIN_LENGTH:
        return _("Your password must be at least %(min)d characters long.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Your password must be %(max)d characters or fewer.", max=MAX_LENGTH)
    words = []
    for value in user_inputs:
        if value:
            words.append(value)
            words.extend(part for part in value.replace("@", " ").replace(".", " ").split())
    if zxcvbn(password, user_inputs=words)["score"] < MIN_SCORE:
        return _(
            "This password is too easy to guess. Try a few unrelated words together, "
            "for example a short sentence only you would think of."
        )
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (the length must already be checked)."""
    if len(password) > MAX_LENGTH:
        raise ValueError("password longer than the policy allows")
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; takes the same time when there is no stored hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
