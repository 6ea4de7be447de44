"""Issuing freezes a letter: its exact bytes, encrypted, with their SHA-256; the download is
byte for byte; a tampered ciphertext is an error, never garbage; rotation covers letters; a
correction is a new letter. (Renders PDFs: SQLite pass only.)"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from hsm.cases.models import CaseEvent, Deadline
from hsm.cases.terms import DeadlineKind, DeadlineStatus
from hsm.crypto import KeyRing, TamperedCiphertext, rotate_all
from hsm.extensions import db
from hsm.letters import operations, queries
from hsm.letters.models import Letter
from hsm.letters.terms import LetterKind
from hsm.workflow import Refused
from tests.letters.conftest import COMPLAINT, request_for

pytestmark = pytest.mark.browser


def _issue(world, kind=LetterKind.OUTCOME, party=None, **kwargs):
    letter = operations.issue(world.staff.director, world.case,
                              request_for(world, kind, party or world.reporting), **kwargs)
    db.session.commit()
    return letter


def test_an_issued_letter_keeps_its_bytes_encrypted_with_their_sha256(world):
    letter = _issue(world)
    raw = db.session.execute(sa.text("SELECT pdf FROM letter WHERE id = :i"),
                             {"i": letter.id}).scalar_one()
    assert not raw.startswith("JVBER")  # not the base64 of "%PDF": it is a Fernet token
    data = queries.pdf_of(letter)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == letter.sha256
    assert letter.size == len(data)
    assert letter.issued_by_id == world.staff.director.id and letter.issued_at is not None


def test_the_download_is_byte_for_byte_and_its_sha256_matches(world, client, sign_in):
    letter = _issue(world)
    sign_in(world.staff.caseworker)
    response = client.get(f"/staff/cases/{world.case.id}/letters/{letter.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert hashlib.sha256(response.data).hexdigest() == letter.sha256
    assert response.data == queries.pdf_of(letter)


def _tamper(letter_id: int, token: str) -> None:
    db.session.execute(sa.text("UPDATE letter SET pdf = :t WHERE id = :i"),
                       {"t": token, "i": letter_id})
    db.session.commit()
    db.session.expire_all()


def test_a_tampered_ciphertext_is_an_error_not_garbage(world, client, sign_in):
    letter = _issue(world)
    raw = db.session.execute(sa.text("SELECT pdf FROM letter WHERE id = :i"),
                             {"i": letter.id}).scalar_one()
    flipped = raw[:40] + ("A" if raw[40] != "A" else "B") + raw[41:]
    _tamper(letter.id, flipped)
    with pytest.raises(TamperedCiphertext):
        queries.pdf_of(db.session.get(Letter, letter.id))
    sign_in(world.staff.caseworker)
    response = client.get(f"/staff/cases/{world.case.id}/letters/{letter.id}/pdf")
    assert response.status_code == 500
    assert not response.data.startswith(b"%PDF")
    assert response.mimetype == "text/html"


def test_bytes_that_no_longer_match_their_sha256_are_refused(world, app):
    letter = _issue(world)
    ring = KeyRing(app.config["HSM_FIELD_KEYS"])
    import base64
    _tamper(letter.id, ring.encrypt(base64.b64encode(b"%PDF-1.7 other bytes").decode()))
    with pytest.raises(queries.LetterIntegrityError):
        queries.pdf_of(db.session.get(Letter, letter.id))


def test_key_rotation_re_encrypts_letters_and_keeps_their_bytes(world, make_app, app):
    from cryptography.fernet import Fernet

    letter = _issue(world)
    before = queries.pdf_of(letter)
    old_token = db.session.execute(sa.text("SELECT pdf FROM letter WHERE id = :i"),
                                   {"i": letter.id}).scalar_one()
    newer = Fernet.generate_key().decode()
    rotated = make_app({"HSM_FIELD_KEYS": (newer, *app.config["HSM_FIELD_KEYS"])})
    with rotated.app_context():
        assert rotate_all() > 0
        token = db.session.execute(sa.text("SELECT pdf FROM letter WHERE id = :i"),
                                   {"i": letter.id}).scalar_one()
        assert token != old_token
        assert KeyRing((newer,)).decrypt(token)  # readable under the new key alone
        assert queries.pdf_of(db.session.get(Letter, letter.id)) == before
        db.session.remove()


def test_issuing_lists_the_letter_on_the_timeline_and_a_correction_is_a_new_letter(world):
    first = _issue(world)
    second = _issue(world, corrects=first)
    assert second.id != first.id and second.corrects_id == first.id
    assert queries.pdf_of(first)  # the first stays as it was
    events = db.session.scalars(sa.select(CaseEvent).where(
        CaseEvent.case_id == world.case.id, CaseEvent.kind == "letter_issued")).all()
    assert [e.payload["letter_id"] for e in events] == [first.id, second.id]
    assert all("sha256" not in e.payload for e in events)


def test_a_correction_must_be_the_same_letter_to_the_same_person(world):
    first = _issue(world)
    with pytest.raises(Refused) as refused:
        operations.issue(world.staff.director, world.case,
                         request_for(world, LetterKind.OUTCOME, world.responding),
                         corrects=first)
    assert [r.code for r in refused.value.reasons] == ["letter_wrong_correction"]


def test_the_cop_letter_meets_its_deadline(world):
    def open_cop():
        return db.session.scalar(sa.select(sa.func.count()).where(
            Deadline.case_id == world.case.id, Deadline.kind == DeadlineKind.COMPLETION_LETTER,
            Deadline.status == DeadlineStatus.OPEN))

    assert open_cop() == 1
    letter = _issue(world, LetterKind.COMPLETION_OF_PROCEDURES)
    assert open_cop() == 0
    assert COMPLAINT  # the request's text went into the letter (checked in test_pdfs)
    assert letter.kind == LetterKind.COMPLETION_OF_PROCEDURES


def test_a_caseworker_cannot_issue_an_outcome_letter(world):
    with pytest.raises(Refused) as refused:
        operations.issue(world.staff.caseworker, world.case,
                         request_for(world, LetterKind.OUTCOME, world.reporting))
    assert [r.code for r in refused.value.reasons] == ["missing_permission"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0
