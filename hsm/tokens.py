"""One-time tokens (emailed links, session cookies) and the hashes stored in their place.

A token carries 256 random bits, so a plain SHA-256 of it is enough to store: a lookup is an
index search on the hash, and a stolen database gives no working token.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A random URL-safe token, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
