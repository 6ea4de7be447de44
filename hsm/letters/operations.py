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
from hsm.cases.models import Case, CaseEvent, ReviewRequest
from hsm.cases.queries import granted_for
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _l
from hsm.letters import content, queries, rendering
from hsm.letters.models import Letter, LetterDelivery, Outcome, ReviewDecision, Sanction
from hsm.letters.terms import DeliveryMethod, Finding, LetterKind, ReviewDecisionKind, SanctionKind
from hsm.security import Permission
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


def record_outcome(actor: User, case: Case, finding: str, reasons: str, decided_on: date, *,
                   remedies: str | None = None,
                   sanctions: Iterable[SanctionDetails] = ()) -> Outcome:
    """The outcome (15): the finding, its reasons, the remedies for the reporting party, and
    the sanctions, each marked whether it directly affects the reporting party (15.2)."""
    if Permission.DECIDE_NEXT_STEPS not in granted_for(actor, case):
        case_ops.refuse("letters.record_outcome", case, actor, [workflow.PERMISSION_REASON])
    outcome = Outcome(case_id=case.id, finding=Finding(finding), reasons=reasons,
                      reporting_remedies=remedies or None, decided_on=decided_on,
                      recorded_at=now(), recorded_by_id=actor.id)
    for s in sanctions:
        outcome.sanctions.append(Sanction(
            kind=SanctionKind(s.kind), detail=s.detail, ends_on=s.ends_on,
            affects_reporting_party=s.affects_reporting_party))
    db.session.add(outcome)
    db.session.flush()
    payload = {"outcome_id": outcome.id, "finding": str(finding),
               "sanctions": [str(s.kind) for s in outcome.sanctions]}
    _audit("letters.outcome_recorded", case, actor, payload)
    _timeline(case, "outcome_recorded", actor, payload)
    return outcome


def record_review_decision(actor: User, case: Case, request: ReviewRequest, decision: str,
                           reasons: str, decided_on: date, *,
                           affects_other_party: bool = False) -> ReviewDecision:
    """The Reviewing Officer's decision (16.10), final (16.11)."""
    if (Permission.DECIDE_REVIEWS not in granted_for(actor, case)
            or request.case_id != case.id):
        case_ops.refuse("letters.record_review_decision", case, actor,
                        [workflow.PERMISSION_REASON])
    found = ReviewDecision(review_request_id=request.id, decision=ReviewDecisionKind(decision),
                           reasons=reasons, decided_on=decided_on,
                           affects_other_party=affects_other_party, recorded_at=now(),
                           recorded_by_id=actor.id)
    db.session.add(found)
    db.session.flush()
    payload = {"request_id": request.id, "decision": str(decision)}
    _audit("letters.review_decided", case, actor, payload)
    _timeline(case, "review_decided", actor, payload)
    return found
