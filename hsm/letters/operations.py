"""Every write of the letters area. Each takes its actor explicitly, is audited, and never
commits (the request's commit point does).

Issuing freezes a letter: the PDF is rendered once, and its exact bytes are stored
encrypted with their SHA-256, who issued it and when. Nothing ever updates a letter; a
correction is a new letter naming the one it corrects. The app never emails a letter: staff
record how and when they delivered it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from hsm import audit, workflow
from hsm.accounts.models import User
from hsm.calendar import local_today
from hsm.cases import operations as case_ops
from hsm.cases import queries as case_queries
from hsm.cases import workflow as case_workflow
from hsm.cases.models import Case, CaseEvent, ReviewRequest
from hsm.cases.queries import facts_for, granted_for
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _l
from hsm.letters import content, queries, rendering
from hsm.letters.models import (
    Letter,
    LetterDelivery,
    Outcome,
    ReviewDecision,
    ReviewSanction,
    Sanction,
)
from hsm.letters.terms import (
    DeliveryMethod,
    Finding,
    LetterKind,
    ReviewConcern,
    ReviewDecisionKind,
    SanctionKind,
)
from hsm.workflow import Reason

WRONG_CORRECTION = Reason("letter_wrong_correction",
                          _l("A correction replaces a letter of the same kind to the same "
                             "person."))
FUTURE_DATE = Reason("letter_future_date", _l("The date cannot be in the future."))


def now() -> datetime:
    return datetime.now(UTC)


def _today(case: Case) -> date:
    """Today at the case's centre."""
    centre = get_centre(case.centre)
    return local_today(now(), centre.timezone if centre else "UTC")


def _audit(action: str, case: Case, actor, detail: dict) -> None:
    audit.record(action, target_type="case", target_id=case.id, centre=case.centre,
                 detail=detail, actor=actor)


def _timeline(case: Case, kind: str, actor, payload: dict) -> None:
    """A timeline entry (codes and ids only) and one more version of the case."""
    db.session.add(CaseEvent(case_id=case.id, kind=kind, actor_id=actor.id, at=now(),
                             payload=payload))
    db.session.execute(
        sa.update(Case).where(Case.id == case.id).values(version=Case.version + 1)
        .execution_options(synchronize_session=False))
    db.session.expire(case, ["version"])
    case_queries.board_changed(case.centre)


def _require_kind(action: str, actor, case: Case, kind: str) -> None:
    if kind not in queries.issuable(actor, case):
        case_ops.refuse(action, case, actor, [workflow.PERMISSION_REASON],
                        detail={"kind": kind})


def prepare(actor, case: Case, req: content.Request) -> content.LetterContent:
    """The content of a letter ``actor`` may issue (for the preview): nothing is written."""
    _require_kind("letter.prepare", actor, case, req.kind)
    return content.build(case, req)


def issue(actor: User, case: Case, req: content.Request,
          corrects: Letter | None = None) -> Letter:
    """Render the letter once and freeze it; list it on the timeline."""
    letter_content = prepare(actor, case, req)
    if corrects is not None and (corrects.case_id != case.id or corrects.kind != req.kind
                                 or corrects.party_id != req.party.id):
        case_ops.refuse("letter.issue", case, actor, [WRONG_CORRECTION])
    pdf = rendering.render_pdf(letter_content)
    letter = Letter(
        case_id=case.id, kind=req.kind, party_id=req.party.id,
        review_request_id=req.review_request.id if req.review_request else None,
        language=letter_content.language, letter_date=req.letter_date,
        sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf),
        pdf=base64.b64encode(pdf).decode("ascii"), issued_at=now(), issued_by_id=actor.id,
        corrects_id=corrects.id if corrects else None,
    )
    db.session.add(letter)
    db.session.flush()
    detail = {"letter_id": letter.id, "kind": req.kind, "party_id": req.party.id,
              "sha256": letter.sha256, "corrects_id": letter.corrects_id}
    _audit("letter.issued", case, actor, detail)
    if req.kind == LetterKind.COMPLETION_OF_PROCEDURES:
        # The Cases area's own record: its 28-day deadline is met, and the timeline says so.
        case_ops.record_completion_letter(actor, case)
    _timeline(case, "letter_issued", actor, {k: v for k, v in detail.items() if k != "sha256"})
    return letter


def record_delivery(actor: User, case: Case, letter: Letter, method: str,
                    delivered_on: date) -> LetterDelivery:
    """How and when staff delivered the letter (by hand, post, their own mailbox...)."""
    _require_kind("letter.delivery", actor, case, letter.kind)
    DeliveryMethod(method)
    if delivered_on > _today(case):
        case_ops.refuse("letter.delivery", case, actor, [FUTURE_DATE])
    delivery = LetterDelivery(letter_id=letter.id, method=method, delivered_on=delivered_on,
                              recorded_at=now(), recorded_by_id=actor.id)
    db.session.add(delivery)
    db.session.flush()
    payload = {"letter_id": letter.id, "method": method, "on": delivered_on.isoformat()}
    _audit("letter.delivered", case, actor, payload)
    _timeline(case, "letter_delivered", actor, payload)
    return delivery


def record_download(actor: User, case: Case, letter: Letter) -> None:
    _audit("letter.downloaded", case, actor, {"letter_id": letter.id})


def record_integrity_failure(actor: User, case: Case, letter: Letter) -> None:
    """Kept whatever the request answers (committed with the audit entry)."""
    audit.record("letter.integrity_failed", target_type="case", target_id=case.id,
                 centre=case.centre, detail={"letter_id": letter.id}, actor=actor, commit=True)


# --- the records the outcome and review letters state ---------------------------------------


@dataclass(frozen=True)
class SanctionDetails:
    kind: str
    affects_reporting_party: bool = False
    detail: str | None = None
    ends_on: date | None = None
    starts_on: date | None = None


#: 15.4: a caution runs 12 months from the decision unless another period is recorded.
CAUTION_MONTHS = 12


def sanction_dates(s: SanctionDetails, decided_on: date) -> tuple[date, date | None]:
    """When a sanction starts (the decision, unless recorded) and ends (a caution: 12 months
    on from its start, unless another end is recorded)."""
    starts_on = s.starts_on or decided_on
    ends_on = s.ends_on
    if s.kind == SanctionKind.CAUTION and ends_on is None:
        ends_on = content.add_months(starts_on, CAUTION_MONTHS)
    return starts_on, ends_on


def _sanction_reasons(actor: User, case: Case, sanctions: list[SanctionDetails],
                      restorative_requested_on: date | None) -> None:
    reasons = case_workflow.outcome_reasons(
        facts_for(case), granted=granted_for(actor, case),
        sanctions={str(SanctionKind(s.kind)) for s in sanctions},
        restorative_requested=restorative_requested_on is not None)
    if reasons:
        case_ops.refuse("letters.record_outcome", case, actor, reasons)


def _add_sanctions(actor: User, case: Case, outcome: Outcome,
                   sanctions: list[SanctionDetails]) -> None:
    """Add sanctions to the outcome with their dates; keep the case's caution expiry and open
    the visa authority task when a permanent exclusion is recommended."""
    for s in sanctions:
        starts_on, ends_on = sanction_dates(s, outcome.decided_on)
        outcome.sanctions.append(Sanction(
            kind=SanctionKind(s.kind), detail=s.detail, starts_on=starts_on, ends_on=ends_on,
            affects_reporting_party=s.affects_reporting_party))
    db.session.flush()
    cautions = [s.ends_on for s in outcome.sanctions
                if s.kind == SanctionKind.CAUTION and s.ends_on]
    case.caution_expires_on = max(cautions) if cautions else None
    if any(s.kind == SanctionKind.RECOMMENDED_PERMANENT_EXCLUSION for s in outcome.sanctions):
        case_ops.require_visa_notification(actor, case, outcome.decided_on)


def record_outcome(actor: User, case: Case, finding: str, reasons: str, decided_on: date, *,
                   remedies: str | None = None,
                   sanctions: Iterable[SanctionDetails] = (),
                   restorative_requested_on: date | None = None) -> Outcome:
    """The outcome (15): the finding, its reasons, the remedies for the reporting party, and
    the sanctions of 15.4 with their dates, each marked whether it directly affects the
    reporting party (15.2).

    - a caution runs 12 months from the decision unless another end is recorded, and the
      case keeps its expiry for the board (``Case.caution_expires_on``);
    - restorative justice only at the reporting party's request, recorded with its date;
    - a recommended permanent exclusion opens the task of notifying the visa authority."""
    sanctions = list(sanctions)
    _sanction_reasons(actor, case, sanctions, restorative_requested_on)
    outcome = Outcome(case_id=case.id, finding=Finding(finding), reasons=reasons,
                      reporting_remedies=remedies or None, decided_on=decided_on,
                      restorative_requested_on=restorative_requested_on,
                      recorded_at=now(), recorded_by_id=actor.id)
    db.session.add(outcome)
    _add_sanctions(actor, case, outcome, sanctions)
    payload = {"outcome_id": outcome.id, "finding": str(finding),
               "sanctions": [str(s.kind) for s in outcome.sanctions]}
    _audit("letters.outcome_recorded", case, actor, payload)
    _timeline(case, "outcome_recorded", actor, payload)
    return outcome


def add_sanction(actor: User, case: Case, outcome: Outcome,
                 sanction: SanctionDetails) -> Outcome:
    """One more sanction of 15.4 on the recorded outcome, by the same rules."""
    if outcome.case_id != case.id:
        case_ops.refuse("letters.add_sanction", case, actor, [workflow.PERMISSION_REASON])
    _sanction_reasons(actor, case, [sanction], outcome.restorative_requested_on)
    _add_sanctions(actor, case, outcome, [sanction])
    payload = {"outcome_id": outcome.id, "sanction": str(SanctionKind(sanction.kind))}
    _audit("letters.sanction_added", case, actor, payload)
    _timeline(case, "sanction_added", actor, payload)
    return outcome


@dataclass(frozen=True)
class ReviewTerms:
    """What a review decided (16.10): confirm, set aside or vary; what it set aside or varied
    (the finding, the penalty); the finding as it now stands; the penalty that now applies,
    as sanction kinds, and which of them directly affect the reporting party (15.2)."""

    decision: str
    reasons: str
    decided_on: date
    concerns: tuple[str, ...] = ()
    new_finding: str | None = None
    sanctions: tuple[str, ...] = ()
    affecting_reporting_party: tuple[str, ...] = ()
    affects_other_party: bool = False


def decision_of(request: ReviewRequest) -> ReviewDecision | None:
    return db.session.scalar(sa.select(ReviewDecision).where(
        ReviewDecision.review_request_id == request.id))


def record_review_form(actor: User, case: Case, request: ReviewRequest, form: str, *,
                       hearing_on: date | None = None, arrangements: str | None = None) -> None:
    """16.7: paper review or a new hearing, by the Reviewing Officer, until the decision."""
    case_ops.record_review_form(actor, case, request, form, hearing_on=hearing_on,
                                arrangements=arrangements,
                                decided=decision_of(request) is not None)


def _penalty_after_review(actor: User, case: Case, decided_on: date,
                          decision: ReviewDecisionKind, concerns: list[str],
                          new_finding: str | None, varied: list[str] | None) -> None:
    """What the board keeps of the penalty once a review changed it (16.10): a varied penalty
    replaces the caution's expiry (a caution in it runs 12 months from the review's decision)
    and a recommended permanent exclusion in it opens the visa task; a penalty set aside, or a
    finding of no breach, leaves no caution running."""
    if varied is not None:
        caution = SanctionDetails(kind=SanctionKind.CAUTION)
        case.caution_expires_on = (sanction_dates(caution, decided_on)[1]
                                   if SanctionKind.CAUTION in varied else None)
        if SanctionKind.RECOMMENDED_PERMANENT_EXCLUSION in varied:
            case_ops.require_visa_notification(actor, case, decided_on)
    elif ((decision is ReviewDecisionKind.SET_ASIDE and ReviewConcern.PENALTY in concerns)
          or new_finding == Finding.NO_BREACH):
        case.caution_expires_on = None


def record_review_decision(actor: User, case: Case, request: ReviewRequest,
                           terms: ReviewTerms) -> ReviewDecision:
    """The Reviewing Officer's decision (16.10), final (16.11): once per request, by the
    case's appointed Reviewing Officer, after the form of the review was chosen (16.7).

    It answers the request (its response deadline is met or missed) and, once every request
    on the case is decided, is the case's final decision: the Completion of Procedures
    letter is due within 28 days. The other party is told only when it is upheld and the
    change affects them (``affects_other_party``, 16.12: ``content``)."""
    decision = ReviewDecisionKind(terms.decision)
    concerns = sorted({ReviewConcern(c).value for c in terms.concerns})
    kinds = [SanctionKind(k).value for k in dict.fromkeys(terms.sanctions)]
    new_finding = Finding(terms.new_finding).value if terms.new_finding else None
    reasons = case_ops.reviewing_officer_reasons(actor, case)
    if request.case_id != case.id:
        reasons.append(case_ops.WRONG_PARTY)
    reasons += case_workflow.review_decision_reasons(
        decided=decision_of(request) is not None, form=request.review_form,
        hearing_on=request.hearing_on, decided_on=terms.decided_on, decision=decision,
        concerns=concerns, new_finding=new_finding, sanctions=kinds,
        affects_other_party=terms.affects_other_party)
    if not terms.reasons.strip():
        reasons.append(case_ops.NEEDS_TEXT)
    if terms.decided_on > _today(case):
        reasons.append(FUTURE_DATE)
    if reasons:
        case_ops.refuse("letters.record_review_decision", case, actor, reasons)
    varied_penalty = decision is ReviewDecisionKind.VARY and ReviewConcern.PENALTY in concerns
    found = ReviewDecision(
        review_request_id=request.id, decision=decision, reasons=terms.reasons.strip(),
        decided_on=terms.decided_on, affects_other_party=terms.affects_other_party,
        concerns=concerns, new_finding=new_finding if ReviewConcern.FINDING in concerns else None,
        previous_final_decision_on=case.final_decision_on, recorded_at=now(),
        recorded_by_id=actor.id)
    for kind in kinds if varied_penalty else ():
        found.sanctions.append(ReviewSanction(
            kind=kind, affects_reporting_party=kind in set(terms.affecting_reporting_party)))
    _penalty_after_review(actor, case, terms.decided_on, decision, concerns, new_finding,
                          kinds if varied_penalty else None)
    db.session.add(found)
    db.session.flush()
    undecided = db.session.scalar(
        sa.select(sa.func.count()).select_from(ReviewRequest).where(
            ReviewRequest.case_id == case.id,
            ~sa.exists().where(ReviewDecision.review_request_id == ReviewRequest.id)))
    case_ops.record_review_answered(actor, case, request, terms.decided_on, final=not undecided)
    payload = {"request_id": request.id, "decision": str(decision), "concerns": concerns}
    _audit("letters.review_decided", case, actor, payload)
    _timeline(case, "review_decided", actor, payload)
    return found
