"""Field encryption: a key ring, rotation, and tampering as an error."""

import pytest
from cryptography.fernet import Fernet

from hsm.crypto import KeyRing, TamperedCiphertext


def test_round_trip_and_rotation():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = KeyRing([old]).encrypt("a private account")
    ring = KeyRing([new, old])
    rotated = ring.rotate(token)
    assert KeyRing([new]).decrypt(rotated) == "a private account"
    with pytest.raises(TamperedCiphertext):
        KeyRing([new]).decrypt(token)


def test_tampered_ciphertext_is_an_error():
    ring = KeyRing([Fernet.generate_key().decode()])
    token = ring.encrypt("secret")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(TamperedCiphertext):
        ring.decrypt(tampered)

