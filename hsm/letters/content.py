"""What each letter says, built by ONE function per letter and recipient: the only path.

Every builder reads only what its recipient may be told, and nothing else:

- no builder reads case notes at all (so nothing marked wellbeing/past can reach a letter),
  nor the report's narrative, the disclosure, the support plan or the risk assessment;
- a letter to a responding party is built from ``cases.queries.responding_party_view``
  (their own measures, never the reporting party's wellbeing or past);
- the reporting party's outcome letter lists only the sanctions marked as directly
  affecting them (15.2); the responding party's lists every sanction and the right of
  appeal (15.3);
- review letters go to the person who asked for the review; the other party gets a review
  outcome letter only when the review was upheld and the change affects them (16.12);
- the Completion of Procedures letter names the Office of the Independent Adjudicator only
  for a centre in England (16.14, 17).

A builder returns a ``LetterContent``: codes, dates and the few texts staff wrote for this
letter; the templates put them into words in the recipient's language (``rendering``).
Anything a builder refuses is a ``Refused`` with its reasons in words.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from hsm.cases import deadlines as rules
from hsm.cases.models import Case, CaseParty, CaseworkerAssignment, ReviewRequest
from hsm.cases.queries import responding_party_view
from hsm.cases.terms import SUSPENSIONS, MeasureStatus, PartyRole, PartyType
from hsm.centres.centre import Centre
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _l
from hsm.letters.models import Outcome, ReviewDecision
from hsm.letters.terms import OIA_MONTHS, OIA_URL, LetterKind
from hsm.workflow import Reason, Refused

NOT_THIS_RECIPIENT = Reason("letter_not_for_recipient",
                            _l("This letter is not written to this person."))
IDENTITY_UNKNOWN = Reason("letter_identity_unknown",
                          _l("This person's name is not known, so no letter can be written to "
                             "them."))
NO_SUSPENSION = Reason("letter_no_suspension",
                       _l("There is no suspension in place for this person."))
NO_OUTCOME = Reason("letter_no_outcome", _l("No outcome has been recorded for this case yet."))
NO_REVIEW_REQUEST = Reason("letter_no_review_request",
                           _l("Choose the review request this letter answers."))
NO_ALTERNATIVE = Reason("letter_no_alternative",
                        _l("No alternative timescale has been set for this review request."))
NO_REVIEW_DECISION = Reason("letter_no_review_decision",
                            _l("No decision has been recorded on this review request yet."))
OTHER_PARTY_NOT_TOLD = Reason(
    "letter_other_party_not_told",
    _l("The other party is told of a review only when it was upheld and the change affects "
       "them (16.12)."))
NO_FINAL_DECISION = Reason("letter_no_final_decision",
                           _l("The final decision has not been recorded yet."))
NOT_A_STUDENT = Reason("letter_not_a_student",
                       _l("The Completion of Procedures letter is written to a student."))
NEEDS_TEXT = Reason("letter_text_missing", _l("Please write the text this letter needs."))
TEXT_TOO_LONG = Reason("letter_text_too_long",
                       _l("The text is too long: keep it under 5,000 characters."))
TEXT_LIMIT = 5000


@dataclass(frozen=True)
class MeasureLine:
    kind: str
    starts_on: date
    description: str | None = None


@dataclass(frozen=True)
class SanctionLine:
    kind: str
    detail: str | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class LetterContent:
    """Everything one letter says, for one recipient. Templates read nothing else."""

    kind: str
    recipient_role: str
    language: str
    centre: Centre
    reference: str
    recipient_name: str
    letter_date: date
    #: Student Services contact at the centre, or the recipient's own caseworker's name.
    caseworker_name: str | None = None
    other_party_name: str | None = None
    measures: tuple[MeasureLine, ...] = ()
    sanctions: tuple[SanctionLine, ...] = ()
    finding: str | None = None
    reasons: str | None = None
    remedies: str | None = None
    text: str | None = None
    received_on: date | None = None
    due_on: date | None = None
    grounds: tuple[str, ...] = ()
    decision: str | None = None
    #: What a review set aside or varied (16.10): "finding", "penalty".
    concerns: tuple[str, ...] = ()
    final_decision_on: date | None = None
    oia: bool = False
    oia_by: date | None = None
    oia_url: str = OIA_URL
    extra: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"letters/documents/{self.kind}.html"


@dataclass(frozen=True)
class Request:
    """What staff chose: the letter, its recipient, and what they wrote for it."""

    kind: str
    party: CaseParty
    letter_date: date
    text: str = ""
    review_request: ReviewRequest | None = None


def _refuse(*reasons: Reason):
    raise Refused("letter", "letter", tuple(reasons))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _base(case: Case, req: Request, **values) -> LetterContent:
    party = req.party
    if not party.identity_known or not party.name:
        _refuse(IDENTITY_UNKNOWN)
    centre = get_centre(case.centre)
    if centre is None:
        raise LookupError(f"unknown centre {case.centre}")
    return LetterContent(
        kind=req.kind, recipient_role=str(party.role), language=party.preferred_language,
        centre=centre, reference=case.reference, recipient_name=party.name,
        letter_date=req.letter_date, caseworker_name=_caseworker(case, party), **values,
    )


def _caseworker(case: Case, party: CaseParty) -> str | None:
    assignment = db.session.scalar(
        sa.select(CaseworkerAssignment).where(CaseworkerAssignment.case_id == case.id,
                                              CaseworkerAssignment.party_id == party.id,
                                              CaseworkerAssignment.ended_at.is_(None))
        .order_by(CaseworkerAssignment.id.desc()).limit(1))
    return assignment.user.name if assignment else None


def _text(req: Request, required: bool) -> str | None:
    text = (req.text or "").strip()
    if required and not text:
        _refuse(NEEDS_TEXT)
    if len(text) > TEXT_LIMIT:
        _refuse(TEXT_TOO_LONG)
    return text or None


def _other_name(case: Case, party: CaseParty) -> str | None:
    wanted = PartyRole.RESPONDING if party.role == PartyRole.REPORTING else PartyRole.REPORTING
    other = next((p for p in case.parties if p.role == wanted), None)
    return other.name if other is not None and other.identity_known else None


def _latest_outcome(case: Case) -> Outcome:
    outcome = db.session.scalar(sa.select(Outcome).where(Outcome.case_id == case.id)
                                .order_by(Outcome.decided_on.desc(), Outcome.id.desc()).limit(1))
    if outcome is None:
        _refuse(NO_OUTCOME)
    return outcome


def _responding_measures(case: Case, party: CaseParty, kinds=None) -> tuple[MeasureLine, ...]:
    view = responding_party_view(case, party)
    return tuple(
        MeasureLine(m.kind, m.starts_on, m.description) for m in view.measures
        if m.status == MeasureStatus.ACTIVE and (kinds is None or m.kind in kinds)
    )


# --- one builder per letter and recipient ---------------------------------------------------


def nca_for_reporting_party(case: Case, req: Request) -> LetterContent:
    """9.3: the No Contact Agreement, for the reporting party to sign."""
    return _base(case, req, other_party_name=_other_name(case, req.party))


def nca_for_responding_party(case: Case, req: Request) -> LetterContent:
    """9.3: the No Contact Agreement, for the responding party to sign."""
    return _base(case, req, other_party_name=_other_name(case, req.party),
                 measures=_responding_measures(case, req.party))


def suspension_for_responding_party(case: Case, req: Request) -> LetterContent:
    """12.4: the suspension of rights, what to do to comply, and their own caseworker."""
    measures = _responding_measures(case, req.party, SUSPENSIONS)
    if not measures:
        _refuse(NO_SUSPENSION)
    return _base(case, req, measures=measures)


def allegation_summary_for_responding_party(case: Case, req: Request) -> LetterContent:
    """13.8: the written summary (staff write it for them), their measures, the process and
    its possible outcomes, representations about the measures, and support."""
    return _base(case, req, text=_text(req, required=True),
                 measures=_responding_measures(case, req.party))


def outcome_for_reporting_party(case: Case, req: Request) -> LetterContent:
    """15.1, 15.2: the finding, its reasons, the remedies that directly affect them, only the
    sanctions marked as directly affecting them, and their right to request a review."""
    outcome = _latest_outcome(case)
    sanctions = tuple(SanctionLine(s.kind, s.detail, s.ends_on) for s in outcome.sanctions
                      if s.affects_reporting_party)
    return _base(case, req, finding=outcome.finding, reasons=outcome.reasons,
                 remedies=outcome.reporting_remedies, sanctions=sanctions)


def outcome_for_responding_party(case: Case, req: Request) -> LetterContent:
    """15.3: the finding, its reasons, every sanction, and the right of appeal. Never the
    remedies arranged for the reporting party."""
    outcome = _latest_outcome(case)
    sanctions = tuple(SanctionLine(s.kind, s.detail, s.ends_on) for s in outcome.sanctions)
    return _base(case, req, finding=outcome.finding, reasons=outcome.reasons,
                 sanctions=sanctions)


def _own_request(case: Case, req: Request) -> ReviewRequest:
    request = req.review_request
    if request is None or request.case_id != case.id:
        _refuse(NO_REVIEW_REQUEST)
    if request.party_id != req.party.id:
        _refuse(NOT_THIS_RECIPIENT)
    return request


def review_acknowledgement_for_requester(case: Case, req: Request) -> LetterContent:
    """16.6: receipt acknowledged, the grounds, and when the response is due."""
    request = _own_request(case, req)
    due = request.alternative_due_on or rules.review_response_due(request.received_on)
    return _base(case, req, received_on=request.received_on, due_on=due,
                 grounds=tuple(request.grounds))


def alternative_timescale_for_requester(case: Case, req: Request) -> LetterContent:
    """16.6: the response will take longer; the new date and why."""
    request = _own_request(case, req)
    if request.alternative_due_on is None:
        _refuse(NO_ALTERNATIVE)
    return _base(case, req, received_on=request.received_on, due_on=request.alternative_due_on,
                 reasons=request.alternative_reason)


def _decision(request: ReviewRequest) -> ReviewDecision:
    decision = db.session.scalar(sa.select(ReviewDecision).where(
        ReviewDecision.review_request_id == request.id))
    if decision is None:
        _refuse(NO_REVIEW_DECISION)
    return decision


def _review_terms(decision: ReviewDecision, party: CaseParty) -> dict:
    """What a review outcome letter says of the decision (16.10): what was set aside or
    varied, the finding as it now stands, and the penalty that now applies; a reporting party
    reads only the sanctions marked as directly affecting them (15.2)."""
    reporting = party.role == PartyRole.REPORTING
    sanctions = tuple(SanctionLine(s.kind) for s in decision.sanctions
                      if s.affects_reporting_party or not reporting)
    return {"decision": decision.decision, "reasons": decision.reasons,
            "concerns": tuple(decision.concerns or ()), "finding": decision.new_finding,
            "sanctions": sanctions}


def review_outcome_for_requester(case: Case, req: Request) -> LetterContent:
    """16.10, 16.11: the decision, what it changed, and its reasons; it is final."""
    request = _own_request(case, req)
    decision = _decision(request)
    return _base(case, req, received_on=request.received_on,
                 **_review_terms(decision, req.party))


def review_outcome_for_other_party(case: Case, req: Request) -> LetterContent:
    """16.12: only when the review was upheld and the change affects them; then only the
    decision and what it changed, never the request's grounds, details or who asked."""
    request = req.review_request
    if request is None or request.case_id != case.id:
        _refuse(NO_REVIEW_REQUEST)
    if request.party_id == req.party.id or req.party.role == PartyRole.WITNESS:
        _refuse(NOT_THIS_RECIPIENT)
    decision = _decision(request)
    if not told_of(decision, request, req.party):
        _refuse(OTHER_PARTY_NOT_TOLD)
    return _base(case, req, **_review_terms(decision, req.party))


def told_of(decision: ReviewDecision, request: ReviewRequest, party: CaseParty) -> bool:
    """16.12: whether ``party`` may learn of this review: they asked for it, or it was
    upheld and the change affects them (a witness never)."""
    if party.role == PartyRole.WITNESS:
        return False
    return request.party_id == party.id or (decision.upheld and decision.affects_other_party)


def completion_of_procedures_for_student(case: Case, req: Request) -> LetterContent:
    """16.9, 16.13, 16.14, 17: it says it is a COP letter, what the complaint was, the final
    decision and the date internal procedures ended; the OIA only at a centre in England,
    within 12 months of the letter's date."""
    if req.party.party_type != PartyType.STUDENT and req.party.role != PartyRole.REPORTING:
        _refuse(NOT_A_STUDENT)
    decisions = _reviews(case)
    known = [(d, r) for d, r in decisions if told_of(d, r, req.party)]
    review, request = known[-1] if known else (None, None)
    if len(known) == len(decisions):
        ended_on = case.final_decision_on
    else:
        # 16.12: a review this party is not told of leaves no trace: for them, the procedures
        # ended with the final decision before it (or a review they were told of).
        dates = [d.decided_on for d, _r in known]
        dates += [decisions[0][0].previous_final_decision_on] \
            if decisions[0][0].previous_final_decision_on else []
        ended_on = max(dates) if dates else None
    if ended_on is None:
        _refuse(NO_FINAL_DECISION)
    outcome = _latest_outcome(case)
    text = _text(req, required=True)
    centre = get_centre(case.centre)
    oia = bool(centre and centre.oia_applies)
    return _base(
        case, req, text=text,
        finding=next((d.new_finding for d, _r in reversed(known) if d.new_finding),
                     outcome.finding),
        decision=review.decision if review else None,
        final_decision_on=ended_on, oia=oia,
        oia_by=add_months(req.letter_date, OIA_MONTHS) if oia else None,
        extra={"own_review": bool(request and request.party_id == req.party.id)},
    )


def _reviews(case: Case) -> list[tuple[ReviewDecision, ReviewRequest]]:
    """Every decided review request of the case, in the order decided."""
    return [(d, r) for d, r in db.session.execute(
        sa.select(ReviewDecision, ReviewRequest).join(
            ReviewRequest, ReviewRequest.id == ReviewDecision.review_request_id)
        .where(ReviewRequest.case_id == case.id)
        .order_by(ReviewDecision.recorded_at, ReviewDecision.id))]


Builder = Callable[[Case, Request], LetterContent]
_R = PartyRole
#: The one table of who may receive which letter, and the builder for each. A letter to a
#: recipient not listed here cannot be made.
BUILDERS: dict[tuple[str, str], Builder] = {
    (LetterKind.NO_CONTACT_AGREEMENT, _R.REPORTING): nca_for_reporting_party,
    (LetterKind.NO_CONTACT_AGREEMENT, _R.RESPONDING): nca_for_responding_party,
    (LetterKind.SUSPENSION_NOTICE, _R.RESPONDING): suspension_for_responding_party,
    (LetterKind.ALLEGATION_SUMMARY, _R.RESPONDING): allegation_summary_for_responding_party,
    (LetterKind.OUTCOME, _R.REPORTING): outcome_for_reporting_party,
    (LetterKind.OUTCOME, _R.RESPONDING): outcome_for_responding_party,
    (LetterKind.COMPLETION_OF_PROCEDURES, _R.REPORTING): completion_of_procedures_for_student,
    (LetterKind.COMPLETION_OF_PROCEDURES, _R.RESPONDING): completion_of_procedures_for_student,
}
#: Review letters: the requester's builder, and (review outcome only) the other party's.
REVIEW_BUILDERS: dict[str, tuple[Builder, Builder | None]] = {
    LetterKind.REVIEW_ACKNOWLEDGEMENT: (review_acknowledgement_for_requester, None),
    LetterKind.ALTERNATIVE_TIMESCALE: (alternative_timescale_for_requester, None),
    LetterKind.REVIEW_OUTCOME: (review_outcome_for_requester, review_outcome_for_other_party),
}
#: Letters whose body staff write (the allegation summary; what the complaint was).
NEEDS_STAFF_TEXT = frozenset({LetterKind.ALLEGATION_SUMMARY,
                              LetterKind.COMPLETION_OF_PROCEDURES})


def builder_for(kind: str, party: CaseParty,
                review_request: ReviewRequest | None = None) -> Builder | None:
    """The one builder for this letter and recipient, or None when they may not receive it."""
    if kind in REVIEW_BUILDERS:
        if review_request is None or party.role == PartyRole.WITNESS:
            return None
        own, other = REVIEW_BUILDERS[kind]
        return own if review_request.party_id == party.id else other
    return BUILDERS.get((kind, str(party.role)))


def build(case: Case, req: Request) -> LetterContent:
    """The content of one letter for one recipient, through its one builder."""
    if req.party.case_id != case.id:
        _refuse(NOT_THIS_RECIPIENT)
    builder = builder_for(req.kind, req.party, req.review_request)
    if builder is None:
        _refuse(NOT_THIS_RECIPIENT)
    return builder(case, req)
