"""Rules for an application: the statement's length, the work email, the confirmation token."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

STATEMENT_MIN_WORDS = 150
STATEMENT_MAX_WORDS = 200
CONFIRM_VALID_FOR = timedelta(days=3)
STAFF_TYPES = ("professional_services", "academic")

_WORD = re.compile(r"\S+")
# One plain address: no quotes, spaces, commas, angle brackets or a second "@", any of which
# could send the confirmation to nobody or to someone else.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters (the live counter agrees)."""
    return len(_WORD.findall(text or ""))


def plain_address(email: str) -> bool:
    """Whether ``email`` is one ordinary address, like name@example.org."""
    return _ADDRESS.fullmatch((email or "").strip()) is not None


def email_domain_allowed(email: str, domains: Iterable[str]) -> bool:
    """Whether the address ends in one of ``domains`` exactly (no look-alike subdomains)."""
    _local, at, domain = (email or "").strip().lower().rpartition("@")
    return bool(at) and domain in {d.lower() for d in domains}


def token_expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is None or now > expires_at
