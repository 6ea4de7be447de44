"""Encryption of sensitive columns at rest, with a key ring and rotation.

Keys come from ``HSM_FIELD_KEYS`` (comma-separated Fernet keys, newest first) or, in
development, from ``instance/field_key``; never from the database. Fernet authenticates
every token, so a tampered ciphertext raises ``TamperedCiphertext`` instead of returning
garbage. ``rotate_all()`` re-encrypts every encrypted column under the newest key.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy.types import TypeDecorator

from hsm.extensions import db

EXTENSION_KEY = "hsm_keyring"


class TamperedCiphertext(RuntimeError):
    """A stored value failed authentication: it was altered or encrypted under an unknown key."""


class KeyRing:
    def __init__(self, keys: tuple[str, ...] | list[str]):
        if not keys:
            raise ValueError("the key ring needs at least one key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise TamperedCiphertext("an encrypted value failed its integrity check") from exc

    def encrypt_bytes(self, data: bytes) -> str:
        return self._fernet.encrypt(data).decode("ascii")

    def decrypt_bytes(self, token: str) -> bytes:
        try:
            return self._fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError) as exc:
            raise TamperedCiphertext("an encrypted value failed its integrity check") from exc

    def rotate(self, token: str) -> str:
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise TamperedCiphertext("an encrypted value failed its integrity check") from exc


def keyring() -> KeyRing:
    return current_app.extensions[EXTENSION_KEY]


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token. ``None`` stays ``None``."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keyring().decrypt(value)


class EncryptedBytes(TypeDecorator):
    """A file's exact bytes stored as one Fernet token (text, like ``EncryptedText``, so the
    same rotation re-encrypts it). ``None`` stays ``None``. Declare it ``deferred`` so a list
    never loads the files."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt_bytes(bytes(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keyring().decrypt_bytes(value)


def encrypted_columns() -> Iterator[tuple[sa.Table, sa.Column]]:
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText | EncryptedBytes):
                yield table, column


def rotate_all(batch: int = 500, file_batch: int = 4) -> int:
    """Re-encrypt every encrypted value under the newest key; returns how many changed.

    Files (``EncryptedBytes``) go a few at a time, so a large file never shares memory with
    hundreds of others."""
    ring = keyring()
    changed = 0
    texts = batch
    for table, column in encrypted_columns():
        batch = file_batch if isinstance(column.type, EncryptedBytes) else texts
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            raise RuntimeError(f"{table.name}: rotation needs a single-column primary key")
        pk_col = pk[0]
        raw = sa.column(column.name, sa.Text)
        last = None
        while True:
            query = sa.select(pk_col, raw).select_from(table).order_by(pk_col).limit(batch)
            if last is not None:
                query = query.where(pk_col > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            for key, token in rows:
                last = key
                if token is None:
                    continue
                db.session.execute(
                    table.update()
                    .where(pk_col == key)
                    .values({column.name: sa.literal(ring.rotate(token), sa.Text)})
                )
                changed += 1
            db.session.flush()
    db.session.commit()
    return changed


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = KeyRing(app.config["HSM_FIELD_KEYS"])
