"""Reading letters: who reads and who issues which letters on a case, the lists, the PDF.

Access goes through the case first (``cases.queries.load_case_for``: the one case scope),
then through the case's section table: a person reads a case's letters only when they see
its parties (letters name them) AND hold one of ``READ_ROLES`` on that case. Which letters
each role may issue is the one table ``ISSUE``. Anything else is a 404 (and audited), like
a case outside the scope.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hsm.cases.models import Case, CaseParty, ReviewRequest
from hsm.cases.queries import Access, Section, access_of, load_case_for, roles_on, sections_for
from hsm.cases.terms import PartyRole
from hsm.crypto import TamperedCiphertext
from hsm.extensions import db
from hsm.letters import content
from hsm.letters.models import Letter, ReviewDecision
from hsm.letters.terms import LetterKind
from hsm.routing import MAX_ID
from hsm.security import Role, deny

K = LetterKind
#: The roles that read a case's letters (with the parties section of that case).
READ_ROLES = frozenset({Role.STUDENT_SERVICES, Role.CENTRE_DIRECTOR, Role.SAFEGUARDING_DIRECTOR,
                        Role.PEOPLE_TEAM, Role.REVIEWING_OFFICER})
#: Which letters each role issues on the cases it works on (the one table).
ISSUE: dict[Role, frozenset[LetterKind]] = {
    Role.STUDENT_SERVICES: frozenset({K.NO_CONTACT_AGREEMENT, K.SUSPENSION_NOTICE,
                                      K.ALLEGATION_SUMMARY}),
    Role.CENTRE_DIRECTOR: frozenset({K.OUTCOME}),
    # The Completion of Procedures letter closes its deadline, the Safeguarding Director's.
    Role.SAFEGUARDING_DIRECTOR: frozenset(LetterKind),
    Role.REVIEWING_OFFICER: frozenset({K.REVIEW_ACKNOWLEDGEMENT, K.ALTERNATIVE_TIMESCALE,
                                       K.REVIEW_OUTCOME}),
}
REVIEW_KINDS = frozenset(content.REVIEW_BUILDERS)


class LetterIntegrityError(TamperedCiphertext):
    """A stored letter no longer matches its SHA-256: it is never served."""


def may_read(actor, case: Case, access: Access | None = None) -> bool:
    access = access or access_of(case)
    return (Section.PARTIES in sections_for(actor, case, access)
            and bool(READ_ROLES & roles_on(actor, case, access)))


def issuable(actor, case: Case, access: Access | None = None) -> frozenset[str]:
    """The kinds of letter ``actor`` may issue on ``case`` (none unless they read them)."""
    access = access or access_of(case)
    if not may_read(actor, case, access):
        return frozenset()
    return frozenset(str(k) for role in roles_on(actor, case, access)
                     for k in ISSUE.get(role, ()))


def load_case_letters_for(actor, case_id: int) -> Case:
    """The case, if ``actor`` sees it and reads its letters; otherwise 404 (audited)."""
    case = load_case_for(actor, case_id)
    if not may_read(actor, case):
        deny("letters_out_of_scope", status=404)
    return case


def load_letter_for(actor, case_id: int, letter_id: int) -> tuple[Case, Letter]:
    case = load_case_letters_for(actor, case_id)
    letter = db.session.scalar(
        sa.select(Letter).where(Letter.id == letter_id, Letter.case_id == case.id)
        .options(selectinload(Letter.deliveries)))
    if letter is None:
        deny("letter_not_found", status=404)
    return case, letter


def letters_of(case: Case) -> list[Letter]:
    """Every letter issued on the case, oldest first (two queries; no document is loaded)."""
    return list(db.session.scalars(
        sa.select(Letter).where(Letter.case_id == case.id)
        .options(selectinload(Letter.deliveries), selectinload(Letter.party))
        .order_by(Letter.issued_at, Letter.id)))


def corrected_ids(letters: list[Letter]) -> set[int]:
    """The letters that a later letter corrects."""
    return {letter.corrects_id for letter in letters if letter.corrects_id}


def pdf_of(letter: Letter) -> bytes:
    """The exact bytes issued. A tampered ciphertext raises ``TamperedCiphertext``; bytes
    that do not match the recorded SHA-256 raise ``LetterIntegrityError``: never garbage."""
    # The column alone (decrypted by its type), never kept on the letter object.
    token = db.session.scalar(sa.select(Letter.pdf).where(Letter.id == letter.id))
    data = base64.b64decode(token.encode("ascii"), validate=True)
    if hashlib.sha256(data).hexdigest() != letter.sha256:
        raise LetterIntegrityError("a stored letter does not match its SHA-256")
    return data


@dataclass(frozen=True)
class Offer:
    """A letter someone may prepare: its kind, its recipient, the review request it answers."""

    kind: str
    party: CaseParty
    review_request: ReviewRequest | None = None


def offers(actor, case: Case) -> list[Offer]:
    """The letters ``actor`` may prepare on ``case``, one per kind and recipient."""
    kinds = issuable(actor, case)
    if not kinds:
        return []
    parties = [p for p in case.parties if p.role != PartyRole.WITNESS]
    requests = list(db.session.scalars(
        sa.select(ReviewRequest).where(ReviewRequest.case_id == case.id)
        .order_by(ReviewRequest.received_on, ReviewRequest.id)))
    found = []
    for kind in LetterKind:
        if kind not in kinds:
            continue
        for party in parties:
            if kind in REVIEW_KINDS:
                found += [Offer(kind, party, r) for r in requests
                          if content.builder_for(kind, party, r) is not None
                          and _told(r, party)]
            elif content.builder_for(kind, party) is not None:
                found.append(Offer(kind, party))
    return found


def _told(request: ReviewRequest, party: CaseParty) -> bool:
    """16.12: a review is offered in letters to the party who asked for it, and to the other
    party only when it was upheld and the change affects them (``content.told_of``)."""
    if request.party_id == party.id:
        return True
    decision = db.session.scalar(sa.select(ReviewDecision).where(
        ReviewDecision.review_request_id == request.id))
    return decision is not None and content.told_of(decision, request, party)


def party_of(case: Case, party_id: int | None) -> CaseParty | None:
    return next((p for p in case.parties if p.id == party_id), None)


def review_request_of(case: Case, request_id: int | None) -> ReviewRequest | None:
    if request_id is None or not 0 < request_id <= MAX_ID:
        return None  # an id no column can hold never reaches the database
    return db.session.scalar(sa.select(ReviewRequest).where(
        ReviewRequest.id == request_id, ReviewRequest.case_id == case.id))
