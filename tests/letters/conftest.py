"""Fixtures of the letters area: a case taken to its review for real, with everything a
letter may state (and canaries that no letter may)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from hsm.cases import demo
from hsm.cases import operations as ops
from hsm.cases.models import Case, CaseParty, ReviewRequest
from hsm.cases.terms import Channel, Marking, MeasureKind, PartyRole, PartyType, Stage
from hsm.extensions import db
from hsm.letters import content
from hsm.letters import operations as letter_ops
from hsm.letters.terms import LetterKind
from tests.cases.conftest import Staff

WELLBEING = "Wellbeing-canary-7Q: panic attacks since the first term"
INTERNAL_NOTE = "Internal-canary-5K: the officer is away next week"
DISCLOSURE = "Disclosure-canary-2M: what was said on the phone"
PRIVATE_SANCTION = "Sanction-private-canary-9X: a written warning kept on file"
SHARED_SANCTION = "Sanction-shared-canary-4B: no attendance at the Tuesday seminar"
REMEDY = "Remedy-canary-3R: extended deadline for the essay"
REASONS = "Reasons-canary-6T: the witness accounts were consistent"
SUSPENSION = "Suspension-canary-8S: stay away from the library"
COMPLAINT = "Complaint-canary-1C: repeated messages after being asked to stop"
SUMMARY = "Summary-canary-0A: messages sent on three evenings in October"
REVIEW_REASONS = "Review-canary-2V: the penalty was varied on appeal"
ALT_REASON = "Timescale-canary-4W: a witness is abroad until March"
REPORTING_NAME = "Robin Reporter-Canary"
RESPONDING_NAME = "Sam Responder-Canary"


@dataclass
class World:
    staff: Staff
    case: Case
    reporting: CaseParty
    responding: CaseParty
    request: ReviewRequest
    today: date


def make_world(centre: str = "uk", *, language: str = "en") -> World:
    """A case at ``centre`` in the review stage: outcome, sanctions, review decision, final
    decision, a suspension, notes of both markings; both parties write in ``language``."""
    staff = Staff(centre)
    sd = staff.director
    today = datetime.now(UTC).date()
    case = ops.record_disclosure(staff.caseworker, centre, ops.Disclosure(
        channel=Channel.PHONE, disclosure=DISCLOSURE, disclosed_on=today - timedelta(days=60),
        responding_party_type=PartyType.STUDENT))
    demo.advance_to(case, Stage.REVIEW, staff.people, today)
    db.session.refresh(case)
    reporting = next(p for p in case.parties if p.role == PartyRole.REPORTING)
    responding = next(p for p in case.parties if p.role == PartyRole.RESPONDING)
    for party, name, kind in ((reporting, REPORTING_NAME, PartyType.STUDENT),
                              (responding, RESPONDING_NAME, PartyType.STUDENT)):
        ops.update_party(sd, case, party, ops.PartyDetails(
            role=party.role, party_type=kind, name=name, preferred_language=language))
    ops.assign_caseworker(sd, case, responding, staff.second_caseworker)
    ops.set_measure(sd, case, responding, MeasureKind.FULL_SUSPENSION, today,
                    description=SUSPENSION)
    ops.add_note(sd, case, WELLBEING, Marking.WELLBEING_PAST)
    ops.add_note(sd, case, INTERNAL_NOTE, Marking.INTERNAL)
    letter_ops.record_outcome(sd, case, "breach", REASONS, today - timedelta(days=10),
                              remedies=REMEDY, sanctions=[
        letter_ops.SanctionDetails("written_warning", detail=PRIVATE_SANCTION),
        letter_ops.SanctionDetails("behavioural_contract", affects_reporting_party=True,
                                   detail=SHARED_SANCTION, ends_on=today + timedelta(days=180)),
    ])
    request = db.session.query(ReviewRequest).filter_by(case_id=case.id).one()
    ops.set_alternative_timescale(staff.reviewer, case, request, today + timedelta(days=30),
                                  ALT_REASON)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    letter_ops.record_review_decision(staff.reviewer, case, request, letter_ops.ReviewTerms(
        "vary", REVIEW_REASONS, today - timedelta(days=2), concerns=("penalty",),
        sanctions=("written_warning", "behavioural_contract"),
        affecting_reporting_party=("behavioural_contract",), affects_other_party=True))
    db.session.flush()
    return World(staff, case, reporting, responding, request, today)


def request_for(world: World, kind: str, party: CaseParty) -> content.Request:
    text = {LetterKind.ALLEGATION_SUMMARY: SUMMARY,
            LetterKind.COMPLETION_OF_PROCEDURES: COMPLAINT}.get(kind, "")
    review = world.request if kind in content.REVIEW_BUILDERS else None
    return content.Request(kind, party, world.today, text=text, review_request=review)


#: Every letter and recipient of the world above: (kind, recipient role).
EVERY_LETTER = (
    (LetterKind.NO_CONTACT_AGREEMENT, PartyRole.REPORTING),
    (LetterKind.NO_CONTACT_AGREEMENT, PartyRole.RESPONDING),
    (LetterKind.SUSPENSION_NOTICE, PartyRole.RESPONDING),
    (LetterKind.ALLEGATION_SUMMARY, PartyRole.RESPONDING),
    (LetterKind.OUTCOME, PartyRole.REPORTING),
    (LetterKind.OUTCOME, PartyRole.RESPONDING),
    (LetterKind.REVIEW_ACKNOWLEDGEMENT, PartyRole.REPORTING),
    (LetterKind.ALTERNATIVE_TIMESCALE, PartyRole.REPORTING),
    (LetterKind.REVIEW_OUTCOME, PartyRole.REPORTING),
    (LetterKind.REVIEW_OUTCOME, PartyRole.RESPONDING),
    (LetterKind.COMPLETION_OF_PROCEDURES, PartyRole.REPORTING),
    (LetterKind.COMPLETION_OF_PROCEDURES, PartyRole.RESPONDING),
)


def pdf_text(data: bytes) -> str:
    """Every page's text, with line breaks and runs of spaces made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def world():
    return make_world("uk")


@pytest.fixture
def sign_in(client):
    """Sign ``client`` in as an existing user (one of the world's staff)."""
    from hsm.accounts.sessions import new_session_payload

    def sign(user):
        payload = new_session_payload(user)
        db.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session.update(payload)
        return user

    return sign
