"""Every write to a case. Each takes its actor explicitly and is audited, refusals included.

Operations never commit: the request's commit point (``hsm.transaction``) does. A rule that
blocks an operation raises ``workflow.Refused`` (``hsm.workflow``) carrying the *reasons* in
words; like ``security.deny``, a refusal rolls back what the request changed so far and
commits only its own audit entry, so it is kept whatever the view then answers. A move made
from a stale page, or twice, raises ``StaleMove`` (a ``Refused``); the case is then reloaded
and shows where it is now.

Audit entries and timeline payloads hold codes and ids only, never a name or a detail; free
text (notes, disclosures, risks) lives encrypted in its own column. Every change raises the
case's ``version`` by one, so a polling board notices it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from hsm import audit, workflow
from hsm.accounts.models import User
from hsm.calendar import local_today
from hsm.cases import deadlines as rules
from hsm.cases import evidence as evidence_rules
from hsm.cases import notifications
from hsm.cases import workflow as case_workflow
from hsm.cases.models import (
    Case,
    CaseConflict,
    CaseEvent,
    CaseLinkedReport,
    CaseParty,
    CaseReviewDecision,
    CaseReviewMember,
    CaseworkerAssignment,
    CounterAllegation,
    Deadline,
    EvidenceItem,
    Hearing,
    ImpactStatement,
    Investigation,
    InvestigationMeeting,
    InvestigationScope,
    Measure,
    MeasureReview,
    OfficerAppointment,
    PoliceLiaison,
    ReviewRequest,
    RiskAssessment,
    SupportItem,
)
from hsm.cases.queries import (
    access_of,
    board_changed,
    facts_for,
    granted_for,
    police_advice_since_hold,
    roles_met,
)
from hsm.cases.terms import (
    MARKING_RANK,
    PREFERRED_LANGUAGES,
    STAFF_MEASURES,
    Agreement,
    Channel,
    ClosureReason,
    Conclusion,
    ConflictReason,
    CounterDecision,
    DeadlineKind,
    DeadlineStatus,
    ExternalReferral,
    InternalProcedure,
    Marking,
    MeasureKind,
    MeasureReviewOutcome,
    MeasureStatus,
    OfficerRole,
    PartyRole,
    PartyType,
    ReviewForm,
    ReviewGround,
    ReviewTeamRole,
    Stage,
    StudiesChange,
    SupportKind,
    SupportStatus,
    Urgency,
)
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _l
from hsm.reports.models import Report
from hsm.reports.receipts import ALPHABET
from hsm.security import Permission, Role, can

P = Permission
Reason = workflow.Reason
Refused = workflow.Refused

STALE = Reason("stale", _l("The case has moved on since this page was loaded: nothing was "
                           "changed. Here is where it is now."))
REPORT_TAKEN = Reason("report_already_in_a_case", _l("This report is already part of a case."))
OTHER_CENTRE = Reason("other_centre", _l("The report is from another centre."))
NOT_A_CASEWORKER_PARTY = Reason(
    "no_caseworker_for_party",
    _l("Caseworkers are for the reporting party and responding students."),
)
STRICTER_ONLY = Reason(
    "marking_looser", _l("A note's marking may become stricter, never looser.")
)
UNKNOWN_HELPLINE = Reason("unknown_helpline", _l("Choose a helpline of the centre."))
MEMBER_LACKS_ROLE = Reason(
    "member_lacks_role",
    _l("A member with a login needs the case review member role (or is the Safeguarding "
       "Director)."),
)
MEMBER_NEEDS_NAME = Reason(
    "member_needs_name", _l("A co-opted member without a login needs a name.")
)
OUTSIDER_NOT_COUNTED = Reason(
    "outsider_must_be_co_opted",
    _l("Someone without a login can only be a co-opted member (11.2)."),
)
ALREADY_MEMBER = Reason("already_member", _l("This person is already on the case review team."))
OFFICER_CANNOT_TAKE_PART = Reason(
    "officer_cannot_take_part",
    _l("An officer of this case cannot take another part in it (13.1, 16.6)."),
)
MEMBER_CONFLICTED = Reason(
    "member_conflicted", _l("This person has a conflict of interest in the case.")
)
NOT_CONVENED = case_workflow.NOT_CONVENED
TEAM_BELOW_THREE = Reason(
    "team_below_three",
    _l("A convened case review keeps at least 3 members from the roles of 11.1: add another "
       "member first."),
)
REPLACE_OFFICER_FIRST = Reason(
    "replace_officer_first",
    _l("This person is the case's officer: appoint another officer first, then record the "
       "conflict (their appointment then ends)."),
)
INTERIM_RATIFIED_AT_CASE_REVIEW = Reason(
    "interim_needs_case_review",
    _l("An interim measure is ratified, varied or lifted by a case review of at least 3 "
       "members."),
)
MEASURE_LIFTED = Reason("measure_lifted", _l("This measure has been lifted."))
NOTHING_TO_ACKNOWLEDGE = Reason(
    "nothing_to_acknowledge", _l("There is no formal complaint to acknowledge.")
)
ALREADY_ACKNOWLEDGED = Reason(
    "already_acknowledged", _l("The formal complaint has already been acknowledged.")
)
WRONG_PARTY = Reason("wrong_party", _l("This is not a party of this case."))
NEEDS_TEXT = Reason("text_missing", _l("Please write something."))
NO_GROUND = Reason("review_no_ground", _l("Choose at least one ground of 16.8."))


class StaleMove(Refused):
    """The case was no longer where the page showed it: nothing was changed."""

    def __init__(self, expected: str, current: str):
        super().__init__(expected, current, (STALE,))
        self.expected, self.current = expected, current


def now() -> datetime:
    return datetime.now(UTC)


# --- shared pieces --------------------------------------------------------------------------


def _audit(action: str, case: Case, actor, detail: dict | None = None) -> None:
    audit.record(action, target_type="case", target_id=case.id, centre=case.centre,
                 detail=detail, actor=actor)


def _event(case: Case, kind: str, actor, payload: dict | None = None, *,
           body: str | None = None, marking: str | None = None,
           at: datetime | None = None) -> CaseEvent:
    event = CaseEvent(case_id=case.id, kind=kind, actor_id=getattr(actor, "id", None),
                      at=at or now(), payload=payload or {}, body=body, marking=marking)
    db.session.add(event)
    return event


def _touch(case: Case) -> None:
    """One more change to the case: its version goes up (in SQL, so none is lost)."""
    db.session.execute(
        sa.update(Case).where(Case.id == case.id).values(version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(case, ["version"])
    board_changed(case.centre)


def _done(action: str, case: Case, actor, detail: dict | None = None,
          event: str | None = None, payload: dict | None = None) -> None:
    """Record a change: the audit entry, a timeline event, and a new version."""
    db.session.flush()
    _audit(action, case, actor, detail)
    _event(case, event or action.removeprefix("case."), actor, payload if payload is not None
           else detail)
    _touch(case)
    db.session.flush()


def _record_refusal(target_type: str, target_id, centre: str, actor, detail: dict) -> None:
    """Like ``security.deny``: roll back what the request changed so far, and commit only the
    refusal's audit entry, so the refusal is kept whatever the view answers."""
    actor_id = getattr(actor, "id", None)
    db.session.rollback()
    if actor is not None and actor_id is not None:
        actor = db.session.get(User, actor_id)
    audit.record("case.refused", target_type=target_type, target_id=target_id, centre=centre,
                 detail=detail, actor=actor, commit=True)


def refuse(action: str, case: Case | None, actor, reasons: Iterable[Reason],
           source: str = "", target: str = "", detail: dict | None = None,
           error: Refused | None = None) -> None:
    """Refuse ``action``: audit it (committed, as ``security.deny`` does; the request's other
    changes are rolled back) and raise ``Refused`` with its reasons."""
    reasons = tuple(reasons)
    record = {"refused": action, "reasons": [r.code for r in reasons], **(detail or {})}
    case_id, centre = (case.id, case.centre) if case is not None else ("", "")
    _record_refusal("case", case_id, centre, actor, record)
    raise error or Refused(source or action, target or action, reasons)


def _require(action: str, case: Case, actor, permission: Permission,
             *more: tuple[bool, Reason]) -> frozenset[str]:
    """Refuse unless ``actor`` holds ``permission`` on ``case`` and no ``(blocked, reason)``."""
    granted = granted_for(actor, case)
    reasons = [] if permission in granted else [workflow.PERMISSION_REASON]
    reasons += [reason for blocked, reason in more if blocked]
    if reasons:
        refuse(action, case, actor, reasons)
    return granted


def _unused_reference() -> str:
    while True:
        reference = "C-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
        if db.session.scalar(sa.select(sa.func.count()).where(Case.reference == reference)) == 0:
            return reference


def _timezone(case: Case) -> str:
    centre = get_centre(case.centre)
    return centre.timezone if centre else "UTC"


def _today(case: Case, at: datetime | None = None) -> date:
    return local_today(at or now(), _timezone(case))


def _add_deadline(case: Case, kind: DeadlineKind, due_on: date, **links) -> Deadline:
    deadline = Deadline(case_id=case.id, kind=kind, due_on=due_on,
                        status=DeadlineStatus.OPEN, created_at=now(), **links)
    db.session.add(deadline)
    db.session.flush()
    return deadline


def _close_deadlines(case: Case, actor, kind: DeadlineKind, *, cancel: bool = False,
                     at: datetime | None = None, **links) -> None:
    """Mark the open deadlines of ``kind`` met (or missed, when late) or cancelled."""
    at = at or now()
    query = sa.select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == kind,
                                      Deadline.status == DeadlineStatus.OPEN)
    for column, value in links.items():
        query = query.where(getattr(Deadline, column) == value)
    for deadline in db.session.scalars(query):
        deadline.status = (DeadlineStatus.CANCELLED if cancel
                           else rules.outcome(at, deadline.due_on, _timezone(case)))
        deadline.done_at = at
        _event(case, f"deadline_{deadline.status}", actor,
               {"deadline_id": deadline.id, "kind": kind, "due_on": deadline.due_on.isoformat()})


def _party(case: Case, party: CaseParty, action: str, actor) -> CaseParty:
    if party.case_id != case.id:
        refuse(action, case, actor, [WRONG_PARTY])
    return party


# --- opening a case ---------------------------------------------------------------------------


def _new_case(actor, centre: str, *, report: Report | None = None, opened_at: datetime,
              flags: dict[str, bool]) -> Case:
    case = Case(reference=_unused_reference(), centre=centre, stage=Stage.RECEIVED,
                stage_changed_at=opened_at, opened_at=opened_at,
                opened_by_id=getattr(actor, "id", None), version=1,
                report_id=report.id if report else None, **flags)
    db.session.add(case)
    db.session.flush()
    board_changed(centre)
    return case


def open_case_from_report(actor: User, report: Report, at: datetime | None = None) -> Case:
    """"Open a case" from a report in the inbox: the report becomes the case's first record.

    Its flags carry over. An anonymous report opens a case too (8.5): its reporting party
    stays unknown, and the receipt-code thread stays the only channel to them. The report's
    respondent type gives the first responding party (a staff respondent brings in the People
    Team). If the report is not acknowledged yet, the centre's service target applies.
    """
    at = at or now()
    if not _may(actor, P.MANAGE_CASES, report.centre):
        _refuse_report(actor, report, [workflow.PERMISSION_REASON])
    taken = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.report_id == report.id)) or db.session.scalar(
        sa.select(sa.func.count()).select_from(CaseLinkedReport).where(
            CaseLinkedReport.report_id == report.id))
    if taken:
        _refuse_report(actor, report, [REPORT_TAKEN])
    case = _new_case(actor, report.centre, report=report, opened_at=at, flags={
        "immediate_danger": report.immediate_danger, "under_18": report.under_18,
        "staff_respondent": report.staff_respondent, "anonymous": report.anonymous,
        "third_party": report.third_party,
    })
    centre = get_centre(report.centre)
    language = centre.default_locale if centre else "en"
    named = not report.anonymous
    full_name = " ".join(n for n in (report.first_name, report.last_name) if n) or None
    db.session.add(CaseParty(
        case_id=case.id, role=PartyRole.REPORTING, party_type=PartyType.STUDENT,
        identity_known=named, name=full_name if named else None,
        student_number=report.student_number if named else None,
        contact=report.contact_detail if named else None,
        preferred_language=language, added_at=at,
    ))
    respondent = report.respondent if report.respondent in set(PartyType) else "unknown"
    db.session.add(CaseParty(case_id=case.id, role=PartyRole.RESPONDING, party_type=respondent,
                             identity_known=False, preferred_language=language, added_at=at))
    db.session.flush()
    # The report's caseworker stays the reporting party's (5.3: no need to tell it again).
    worker = db.session.get(User, report.caseworker_id) if report.caseworker_id else None
    if worker is not None and worker.active and any(
            r.role == Role.STUDENT_SERVICES and r.centre == case.centre for r in worker.roles):
        reporting = db.session.scalar(sa.select(CaseParty).where(
            CaseParty.case_id == case.id, CaseParty.role == PartyRole.REPORTING))
        db.session.add(CaseworkerAssignment(case_id=case.id, party_id=reporting.id,
                                            user_id=worker.id, assigned_at=at,
                                            assigned_by_id=getattr(actor, "id", None)))
    if report.acknowledged_at is None and centre is not None:
        _add_deadline(case, DeadlineKind.REPORT_ACKNOWLEDGEMENT,
                      rules.report_acknowledgement_due(centre, report.received_at,
                                                       urgent=case.urgent))
    _done("case.opened", case, actor, {"from": "report", "report_id": report.id},
          payload={"from": "report", "report_id": report.id})
    return case


def _may(actor, permission: Permission, centre: str) -> bool:
    return can(permission, centre=centre, user=actor)


def _refuse_report(actor, report: Report, reasons: list[Reason]) -> None:
    _record_refusal("report", report.id, report.centre, actor,
                    {"refused": "open_case", "reasons": [r.code for r in reasons]})
    raise Refused("open_case", "open_case", tuple(reasons))


@dataclass
class Disclosure:
    """A disclosure recorded by staff (A 5.1): how it came, what was disclosed, the flags."""

    channel: str
    disclosure: str
    disclosed_on: date
    responding_party_type: str = PartyType.UNKNOWN
    immediate_danger: bool = False
    under_18: bool = False
    anonymous: bool = False
    third_party: bool = False


def record_disclosure(actor: User, centre: str, disclosure: Disclosure,
                      at: datetime | None = None) -> Case:
    """Open a case from a disclosure made to a member of staff (A 5.1)."""
    at = at or now()
    Channel(disclosure.channel)
    PartyType(disclosure.responding_party_type)
    if not _may(actor, P.MANAGE_CASES, centre):
        _record_refusal("case", "", centre, actor, {"refused": "record_disclosure",
                                                    "reasons": ["missing_permission"]})
        raise Refused("record_disclosure", "record_disclosure", (workflow.PERMISSION_REASON,))
    if not disclosure.disclosure.strip():
        raise Refused("record_disclosure", "record_disclosure", (NEEDS_TEXT,))
    staff = disclosure.responding_party_type == PartyType.STAFF
    case = _new_case(actor, centre, opened_at=at, flags={
        "immediate_danger": disclosure.immediate_danger, "under_18": disclosure.under_18,
        "staff_respondent": staff, "anonymous": disclosure.anonymous,
        "third_party": disclosure.third_party,
    })
    case.disclosure_channel = disclosure.channel
    case.disclosure = disclosure.disclosure
    case.disclosed_on = disclosure.disclosed_on
    c = get_centre(centre)
    language = c.default_locale if c else "en"
    db.session.add(CaseParty(case_id=case.id, role=PartyRole.REPORTING,
                             party_type=PartyType.STUDENT,
                             identity_known=not disclosure.anonymous,
                             preferred_language=language, added_at=at))
    db.session.add(CaseParty(case_id=case.id, role=PartyRole.RESPONDING,
                             party_type=disclosure.responding_party_type, identity_known=False,
                             preferred_language=language, added_at=at))
    _done("case.opened", case, actor, {"from": "disclosure", "channel": disclosure.channel})
    return case


def link_report(actor: User, case: Case, report: Report) -> CaseLinkedReport:
    """Link a later report about the same matter to the case (same centre, not yet used)."""
    _require("link_report", case, actor, P.MANAGE_CASES,
             (report.centre != case.centre, OTHER_CENTRE))
    taken = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.report_id == report.id)) or db.session.scalar(
        sa.select(sa.func.count()).select_from(CaseLinkedReport).where(
            CaseLinkedReport.report_id == report.id))
    if taken:
        refuse("link_report", case, actor, [REPORT_TAKEN])
    link = CaseLinkedReport(case_id=case.id, report_id=report.id, linked_at=now(),
                            linked_by_id=actor.id)
    db.session.add(link)
    _done("case.report_linked", case, actor, {"report_id": report.id})
    return link


# --- parties ---------------------------------------------------------------------------------


@dataclass
class PartyDetails:
    role: str
    party_type: str = PartyType.UNKNOWN
    name: str | None = None
    student_number: str | None = None
    contact: str | None = None
    preferred_language: str = "en"
    user: User | None = None  # a party or witness with a staff account never sees the case


def add_party(actor: User, case: Case, details: PartyDetails) -> CaseParty:
    """Add a responding party or a witness (or name the reporting party, when unknown).

    A party with a staff account is recorded as conflicted at once; a staff respondent
    brings in the People Team (the case is flagged).
    """
    role = PartyRole(details.role)
    PartyType(details.party_type)
    if details.preferred_language not in PREFERRED_LANGUAGES:
        raise ValueError("unknown language")
    _require("add_party", case, actor, P.MANAGE_CASES)
    party = CaseParty(
        case_id=case.id, role=role, party_type=details.party_type,
        identity_known=bool(details.name), name=details.name,
        student_number=details.student_number, contact=details.contact,
        preferred_language=details.preferred_language,
        user_id=details.user.id if details.user else None, added_at=now(),
    )
    db.session.add(party)
    db.session.flush()
    if details.user is not None:
        _conflict(case, details.user, ConflictReason.WITNESS if role is PartyRole.WITNESS
                  else ConflictReason.PARTY, actor)
    if role is PartyRole.RESPONDING and details.party_type == PartyType.STAFF:
        case.staff_respondent = True
    _done("case.party_added", case, actor, {"party_id": party.id, "role": role,
                                             "party_type": details.party_type})
    return party


def update_party(actor: User, case: Case, party: CaseParty, details: PartyDetails) -> CaseParty:
    """Change a party's details (type, name, numbers, language, account)."""
    _party(case, party, "update_party", actor)
    _require("update_party", case, actor, P.MANAGE_CASES)
    PartyType(details.party_type)
    if details.preferred_language not in PREFERRED_LANGUAGES:
        raise ValueError("unknown language")
    if party.role == PartyRole.RESPONDING and details.party_type != PartyType.STUDENT:
        # Only students have a Student Services caseworker (2.16, 12.4).
        for assignment in db.session.scalars(sa.select(CaseworkerAssignment).where(
                CaseworkerAssignment.party_id == party.id,
                CaseworkerAssignment.ended_at.is_(None))):
            assignment.ended_at = now()
    party.party_type = details.party_type
    party.name, party.student_number, party.contact = (
        details.name, details.student_number, details.contact)
    party.identity_known = party.identity_known or bool(details.name)
    party.preferred_language = details.preferred_language
    if details.user is not None and party.user_id != details.user.id:
        party.user_id = details.user.id
        _conflict(case, details.user, ConflictReason.WITNESS
                  if party.role == PartyRole.WITNESS else ConflictReason.PARTY, actor)
    if party.role == PartyRole.RESPONDING and details.party_type == PartyType.STAFF:
        case.staff_respondent = True
    _done("case.party_updated", case, actor, {"party_id": party.id,
                                               "party_type": details.party_type})
    return party


# --- caseworkers (2.16, 12.4) -----------------------------------------------------------------


def assign_caseworker(actor: User, case: Case, party: CaseParty, caseworker: User,
                      ) -> CaseworkerAssignment:
    """Give ``party`` a caseworker from the centre's Student Services.

    Refused, with the reason, when the reporting party and a responding student would share
    one, when the person is not in the centre's team, is conflicted or is an officer.
    """
    _party(case, party, "assign_caseworker", actor)
    facts = facts_for(case)
    granted = granted_for(actor, case)
    reasons = [] if P.MANAGE_CASES in granted else [workflow.PERMISSION_REASON]
    student = party.role == PartyRole.RESPONDING and party.party_type == PartyType.STUDENT
    if party.role != PartyRole.REPORTING and not student:
        reasons.append(NOT_A_CASEWORKER_PARTY)
    access = access_of(case)
    reasons += case_workflow.caseworker_reasons(
        for_reporting_party=party.role == PartyRole.REPORTING,
        candidate=caseworker.id,
        reporting_caseworker=facts.reporting_caseworker,
        responding_student_caseworkers=_other_student_caseworkers(case, party),
        at_centre=caseworker.active and any(
            r.role == Role.STUDENT_SERVICES and r.centre == case.centre for r in caseworker.roles),
        conflicted=caseworker.id in access.conflicted,
    )
    if caseworker.id in set(facts.investigating_officers) | set(facts.reviewing_officers):
        reasons.append(OFFICER_CANNOT_TAKE_PART)
    if reasons:
        refuse("assign_caseworker", case, actor, reasons)
    at = now()
    for current in db.session.scalars(sa.select(CaseworkerAssignment).where(
            CaseworkerAssignment.party_id == party.id, CaseworkerAssignment.ended_at.is_(None))):
        current.ended_at = at
    assignment = CaseworkerAssignment(case_id=case.id, party_id=party.id, user_id=caseworker.id,
                                      assigned_at=at, assigned_by_id=actor.id)
    db.session.add(assignment)
    _done("case.caseworker_assigned", case, actor,
          {"party_id": party.id, "caseworker_id": caseworker.id})
    return assignment


def _other_student_caseworkers(case: Case, party: CaseParty) -> list[int]:
    """The current caseworkers of the case's responding students other than ``party``."""
    return list(db.session.scalars(
        sa.select(CaseworkerAssignment.user_id)
        .join(CaseParty, CaseParty.id == CaseworkerAssignment.party_id)
        .where(CaseworkerAssignment.case_id == case.id, CaseworkerAssignment.ended_at.is_(None),
               CaseParty.role == PartyRole.RESPONDING, CaseParty.party_type == PartyType.STUDENT,
               CaseParty.id != party.id)
    ))


# --- notes ------------------------------------------------------------------------------------


def add_note(actor: User, case: Case, body: str, marking: str) -> CaseEvent:
    """A note on the timeline, marked *internal* or *wellbeing/past* as it is written."""
    marking = Marking(marking)
    _require("add_note", case, actor, P.MANAGE_CASES, (not body.strip(), NEEDS_TEXT))
    db.session.flush()
    event = _event(case, "note", actor, {"marking": marking}, body=body.strip(), marking=marking)
    db.session.flush()
    _audit("case.note_added", case, actor, {"event_id": event.id, "marking": marking})
    _touch(case)
    return event


def mark_note(actor: User, case: Case, note: CaseEvent, marking: str) -> CaseEvent:
    """Make a note's marking stricter (audited); never looser."""
    marking = Marking(marking)
    looser = note.kind != "note" or note.case_id != case.id or (
        MARKING_RANK[marking] < MARKING_RANK[Marking(note.marking)])
    _require("mark_note", case, actor, P.MANAGE_CASES, (looser, STRICTER_ONLY))
    before = note.marking
    note.marking = marking
    note.payload = {**(note.payload or {}), "marking": marking}
    _done("case.note_marked", case, actor,
          {"event_id": note.id, "from": before, "to": marking})
    return note


# --- support plan (A 3.3, 3.4) ----------------------------------------------------------------


def add_support_item(actor: User, case: Case, party: CaseParty | None, kind: str,
                     status: str = SupportStatus.PROPOSED, *, helpline_id: str | None = None,
                     note: str | None = None) -> SupportItem:
    """An item of a party's support plan: a referral or academic support, with its status.

    A helpline referral names one of the centre's helplines (its data file).
    """
    kind, status = SupportKind(kind), SupportStatus(status)
    if party is not None:
        _party(case, party, "add_support_item", actor)
    centre = get_centre(case.centre)
    unknown = kind is SupportKind.HELPLINE and (
        centre is None or helpline_id is None or centre.helpline(helpline_id) is None)
    _require("add_support_item", case, actor, P.MANAGE_CASES, (unknown, UNKNOWN_HELPLINE))
    at = now()
    item = SupportItem(case_id=case.id, party_id=party.id if party else None, kind=kind,
                       helpline_id=helpline_id if kind is SupportKind.HELPLINE else None,
                       status=status, note=note or None, created_at=at, updated_at=at)
    db.session.add(item)
    db.session.flush()
    _done("case.support_added", case, actor, {"item_id": item.id, "kind": kind,
                                               "status": status})
    return item


def set_support_status(actor: User, case: Case, item: SupportItem, status: str) -> SupportItem:
    status = SupportStatus(status)
    _require("set_support_status", case, actor, P.MANAGE_CASES)
    item.status, item.updated_at = status, now()
    _done("case.support_status_set", case, actor, {"item_id": item.id, "status": status})
    return item


# --- informal resolution (9) ------------------------------------------------------------------


def record_informal_answer(actor: User, case: Case, party: CaseParty, answer: str) -> None:
    """A party agrees to, or declines, informal resolution (9.1). Declining makes the case
    eligible for referral to a formal investigation (9.4)."""
    answer = Agreement(answer)
    _party(case, party, "record_informal_answer", actor)
    _require("record_informal_answer", case, actor, P.MANAGE_CASES,
             (party.role == PartyRole.WITNESS, WRONG_PARTY))
    party.informal_agreement = answer
    _done("case.informal_answer", case, actor, {"party_id": party.id, "answer": answer})


def record_nca_signature(actor: User, case: Case, party: CaseParty, signed_on: date) -> None:
    """The date a party signed the No Contact Agreement (9.3)."""
    _party(case, party, "record_nca_signature", actor)
    _require("record_nca_signature", case, actor, P.MANAGE_CASES,
             (party.role == PartyRole.WITNESS, WRONG_PARTY))
    party.nca_signed_on = signed_on
    _done("case.nca_signed", case, actor, {"party_id": party.id, "on": signed_on.isoformat()})


def record_informal_breach(actor: User, case: Case) -> None:
    """A breach of the No Contact Agreement (9.4): the case may be referred."""
    _require("record_informal_breach", case, actor, P.MANAGE_CASES)
    case.informal_breach_at = now()
    _done("case.informal_breach", case, actor)


# --- formal complaint (10) --------------------------------------------------------------------


def confirm_complaint(actor: User, case: Case, at: datetime | None = None) -> None:
    """The reporting party confirms that they wish to make a formal complaint (10.1).

    The centre's Centre Directors (who may see the case) are emailed, and their
    acknowledgement gets a deadline from the centre's service target.
    """
    at = at or now()
    _require("confirm_complaint", case, actor, P.MANAGE_CASES)
    if case.complaint_confirmed_at is not None:
        return
    case.complaint_confirmed_at, case.complaint_confirmed_by_id = at, actor.id
    centre = get_centre(case.centre)
    if centre is not None:
        _add_deadline(case, DeadlineKind.COMPLAINT_ACKNOWLEDGEMENT,
                      rules.complaint_acknowledgement_due(centre, at, urgent=case.urgent))
    _done("case.complaint_confirmed", case, actor)
    notifications.formal_complaint(case)


def acknowledge_complaint(actor: User, case: Case, at: datetime | None = None) -> None:
    """The Centre Director acknowledges the formal complaint; the central Director is told."""
    at = at or now()
    _require("acknowledge_complaint", case, actor, P.ACKNOWLEDGE_COMPLAINTS,
             (case.complaint_confirmed_at is None, NOTHING_TO_ACKNOWLEDGE),
             (case.director_acknowledged_at is not None, ALREADY_ACKNOWLEDGED))
    case.director_acknowledged_at, case.director_acknowledged_by_id = at, actor.id
    _close_deadlines(case, actor, DeadlineKind.COMPLAINT_ACKNOWLEDGEMENT, at=at)
    case.central_director_notified_at = at
    _done("case.complaint_acknowledged", case, actor)
    notifications.central_director(case)


@dataclass
class RiskDetails:
    risk_to_reporting_party: str
    risk_to_responding_party: str
    risk_to_others: str
    urgency: str
    next_review_on: date


def record_risk_assessment(actor: User, case: Case, details: RiskDetails) -> RiskAssessment:
    """A precautionary risk assessment (10.2): risks to each party and others, urgency, and
    the next review date. Student Services or the Safeguarding Director record it."""
    urgency = Urgency(details.urgency)
    blank = not all(t.strip() for t in (details.risk_to_reporting_party,
                                        details.risk_to_responding_party, details.risk_to_others))
    _require("record_risk_assessment", case, actor, P.MANAGE_CASES, (blank, NEEDS_TEXT))
    assessment = RiskAssessment(
        case_id=case.id, assessed_at=now(), assessed_by_id=actor.id,
        risk_to_reporting_party=details.risk_to_reporting_party,
        risk_to_responding_party=details.risk_to_responding_party,
        risk_to_others=details.risk_to_others, urgency=urgency,
        next_review_on=details.next_review_on,
    )
    db.session.add(assessment)
    db.session.flush()
    _done("case.risk_assessed", case, actor, {"assessment_id": assessment.id,
                                               "urgency": urgency})
    return assessment


# --- case review (11) -------------------------------------------------------------------------


def add_review_member(actor: User, case: Case, role_title: str, user: User | None = None, *,
                      name: str | None = None, organisation: str | None = None,
                      ) -> CaseReviewMember:
    """Put someone on the case review team, with their role title from 11.1.

    Co-opted members (11.2) may be outsiders without a login (a name and organisation
    instead); they never count towards the three. A member with a login must hold the case
    review member role (or be the Safeguarding Director), must not be conflicted, and must
    not be an officer of the case.
    """
    title = ReviewTeamRole(role_title)
    facts = facts_for(case)
    reasons: list[tuple[bool, Reason]] = []
    if user is None:
        reasons += [(title is not ReviewTeamRole.CO_OPTED, OUTSIDER_NOT_COUNTED),
                    (not (name or "").strip(), MEMBER_NEEDS_NAME)]
    else:
        holds = user.active and (user.has_role(Role.CASE_REVIEW_MEMBER)
                                 or user.has_role(Role.SAFEGUARDING_DIRECTOR))
        officers = set(facts.investigating_officers) | set(facts.reviewing_officers)
        already = db.session.scalar(sa.select(sa.func.count()).select_from(CaseReviewMember)
                                    .where(CaseReviewMember.case_id == case.id,
                                           CaseReviewMember.user_id == user.id))
        reasons += [(not holds, MEMBER_LACKS_ROLE),
                    (user.id in access_of(case).conflicted, MEMBER_CONFLICTED),
                    (user.id in officers, OFFICER_CANNOT_TAKE_PART),
                    (bool(already), ALREADY_MEMBER)]
    _require("add_review_member", case, actor, P.CONVENE_CASE_REVIEW, *reasons)
    member = CaseReviewMember(case_id=case.id, user_id=user.id if user else None,
                              role_title=title, name=name or (user.name if user else None),
                              organisation=organisation, added_at=now(), added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    _done("case.review_member_added", case, actor,
          {"member_id": member.id, "role_title": title, "user_id": member.user_id})
    return member


def remove_review_member(actor: User, case: Case, member: CaseReviewMember) -> None:
    """Take someone off the team. Once convened, the team never drops below three counted
    members, nor loses its People Team member when a responding party is staff."""
    facts = facts_for(case)
    counted = member.role_title != ReviewTeamRole.CO_OPTED
    others_pt = db.session.scalar(sa.select(sa.func.count()).select_from(CaseReviewMember).where(
        CaseReviewMember.case_id == case.id, CaseReviewMember.id != member.id,
        CaseReviewMember.role_title == ReviewTeamRole.PEOPLE_TEAM))
    _require("remove_review_member", case, actor, P.CONVENE_CASE_REVIEW,
             (member.case_id != case.id, WRONG_PARTY),
             (facts.convened and counted and facts.counted_members <= 3, TEAM_BELOW_THREE),
             (facts.convened and facts.staff_respondent
              and member.role_title == ReviewTeamRole.PEOPLE_TEAM and not others_pt,
              case_workflow.NO_PEOPLE_TEAM_MEMBER))
    member_id = member.id
    db.session.delete(member)
    _done("case.review_member_removed", case, actor, {"member_id": member_id})


def convene_case_review(actor: User, case: Case, *, expected: str | None = None) -> None:
    """The Director convenes the case review (10.3, 10.4): the move into *case review*."""
    move(actor, case, Stage.CASE_REVIEW, expected=expected or Stage.FORMAL_COMPLAINT)


@dataclass
class Decisions:
    met_on: date
    risks: str
    support_needs: str
    internal_procedure: str
    external_referrals: tuple[str, ...] = ()
    recommend_investigation: bool = False


def record_decisions(actor: User, case: Case, decisions: Decisions) -> CaseReviewDecision:
    """What the case review decided (11.3, 11.4), recorded by the Director (12.8)."""
    procedure = InternalProcedure(decisions.internal_procedure)
    referrals = sorted({ExternalReferral(r).value for r in decisions.external_referrals})
    _require("record_decisions", case, actor, P.CONVENE_CASE_REVIEW,
             (case.case_review_convened_at is None, NOT_CONVENED))
    decision = CaseReviewDecision(
        case_id=case.id, met_on=decisions.met_on, risks=decisions.risks,
        support_needs=decisions.support_needs, external_referrals=referrals,
        internal_procedure=procedure, recommend_investigation=decisions.recommend_investigation,
        recorded_at=now(), recorded_by_id=actor.id,
    )
    db.session.add(decision)
    db.session.flush()
    _done("case.decisions_recorded", case, actor, {
        "decision_id": decision.id, "internal_procedure": procedure, "referrals": referrals,
        "recommend_investigation": decisions.recommend_investigation,
    })
    return decision


# --- precautionary measures (12) --------------------------------------------------------------


def _has_own_caseworker(case: Case, party: CaseParty) -> bool:
    facts = facts_for(case)
    own = db.session.scalar(sa.select(CaseworkerAssignment.user_id).where(
        CaseworkerAssignment.party_id == party.id, CaseworkerAssignment.ended_at.is_(None)))
    return own is not None and own != facts.reporting_caseworker


def set_measure(actor: User, case: Case, party: CaseParty, kind: str, starts_on: date, *,
                interim: bool = False, description: str | None = None) -> Measure:
    """A precautionary measure for ``party`` from ``starts_on``, reviewed every 4 weeks.

    An interim measure is the Safeguarding Director's, at once, in an urgent case; the case
    review then ratifies, varies or lifts it. Any other needs a convened case review of at
    least 3 counted members. A suspension needs the party's own caseworker (12.4).
    """
    kind = MeasureKind(kind)
    _party(case, party, "set_measure", actor)
    reasons = case_workflow.measure_reasons(
        facts_for(case), kind=kind, interim=interim,
        party_is_staff=party.party_type == PartyType.STAFF,
        party_has_own_caseworker=_has_own_caseworker(case, party),
        granted=granted_for(actor, case),
    )
    if reasons:
        refuse("set_measure", case, actor, reasons)
    measure = Measure(case_id=case.id, party_id=party.id, kind=kind, description=description,
                      interim=interim, status=MeasureStatus.ACTIVE, starts_on=starts_on,
                      next_review_on=rules.measure_review_due(starts_on), set_at=now(),
                      set_by_id=actor.id)
    db.session.add(measure)
    db.session.flush()
    _add_deadline(case, DeadlineKind.MEASURE_REVIEW, measure.next_review_on,
                  measure_id=measure.id)
    _done("case.measure_set", case, actor, {"measure_id": measure.id, "kind": kind,
                                             "interim": interim, "party_id": party.id})
    return measure


def review_measure(actor: User, case: Case, measure: Measure, outcome: str, note: str,
                   reviewed_on: date | None = None) -> MeasureReview:
    """Review a measure (12.7): continued, varied or lifted, with a note.

    Reviews go on during a police hold. An interim measure's first review is its
    ratification, by a case review of at least 3 members.
    """
    outcome = MeasureReviewOutcome(outcome)
    reviewed_on = reviewed_on or _today(case)
    facts = facts_for(case)
    staff = measure.kind in STAFF_MEASURES
    granted = granted_for(actor, case)
    allowed = P.REVIEW_MEASURES in granted or (staff and P.MANAGE_STAFF_MEASURES in granted)
    reasons = [] if allowed else [workflow.PERMISSION_REASON]
    if measure.case_id != case.id:
        reasons.append(WRONG_PARTY)
    if measure.status != MeasureStatus.ACTIVE:
        reasons.append(MEASURE_LIFTED)
    if measure.interim and measure.ratified_at is None and (
            not facts.convened or facts.counted_members < 3):
        reasons.append(INTERIM_RATIFIED_AT_CASE_REVIEW)
    if not note.strip():
        reasons.append(NEEDS_TEXT)
    if reasons:
        refuse("review_measure", case, actor, reasons)
    at = now()
    review = MeasureReview(measure_id=measure.id, reviewed_on=reviewed_on, outcome=outcome,
                           note=note.strip(), reviewed_by_id=actor.id, recorded_at=at)
    db.session.add(review)
    if measure.interim and measure.ratified_at is None:
        measure.ratified_at = at
    measure.last_reviewed_on = reviewed_on
    measure.review_requested_at = None
    _close_deadlines(case, actor, DeadlineKind.MEASURE_REVIEW, at=at, measure_id=measure.id)
    if outcome is MeasureReviewOutcome.LIFTED:
        measure.status, measure.lifted_on, measure.next_review_on = (
            MeasureStatus.LIFTED, reviewed_on, None)
    else:
        measure.next_review_on = rules.measure_review_due(measure.starts_on, reviewed_on)
        _add_deadline(case, DeadlineKind.MEASURE_REVIEW, measure.next_review_on,
                      measure_id=measure.id)
    db.session.flush()
    _done("case.measure_reviewed", case, actor, {"measure_id": measure.id, "outcome": outcome})
    return review


# Representations (13.8) bring the measure's review forward to within this many working days.
REPRESENTATIONS_REVIEW_WORKING_DAYS = 5


def record_representations(actor: User, case: Case, measure: Measure) -> None:
    """The responding party made representations about a measure (13.8): a review request.

    The measure's next review comes forward to within 5 working days, if that is sooner.
    """
    _require("record_representations", case, actor, P.MANAGE_CASES,
             (measure.case_id != case.id, WRONG_PARTY),
             (measure.status != MeasureStatus.ACTIVE, MEASURE_LIFTED))
    measure.review_requested_at = now()
    centre = get_centre(case.centre)
    if centre is not None:
        sooner = rules.after_working_days(rules.calendar_of(centre), _today(case),
                                          REPRESENTATIONS_REVIEW_WORKING_DAYS)
        if measure.next_review_on is None or sooner < measure.next_review_on:
            measure.next_review_on = sooner
            for deadline in db.session.scalars(sa.select(Deadline).where(
                    Deadline.measure_id == measure.id, Deadline.status == DeadlineStatus.OPEN)):
                deadline.due_on = sooner
    _done("case.measure_review_requested", case, actor, {"measure_id": measure.id})


# --- officers and conflicts -------------------------------------------------------------------


def appoint_officer(actor: User, case: Case, user: User, role: str) -> OfficerAppointment:
    """Appoint an Investigating Officer (13.1) or a Reviewing Officer (16.6).

    They must hold the role and have had no involvement in the case (not a party, a
    witness, a caseworker, a case review member, conflicted, or the other officer).
    """
    role = OfficerRole(role)
    if role is OfficerRole.COMMITTEE:  # its own rules: appoint_committee_member
        raise ValueError("a committee member is appointed with appoint_committee_member")
    needed = Role.INVESTIGATING_OFFICER if role is OfficerRole.INVESTIGATING \
        else Role.REVIEWING_OFFICER
    reasons = case_workflow.appointment_reasons(
        facts_for(case), user_id=user.id, holds_role=user.active and user.has_role(needed),
        role=role, granted=granted_for(actor, case))
    if reasons:
        refuse("appoint_officer", case, actor, reasons)
    appointment = OfficerAppointment(case_id=case.id, role=role, user_id=user.id,
                                     appointed_at=now(), appointed_by_id=actor.id)
    db.session.add(appointment)
    db.session.flush()
    _done("case.officer_appointed", case, actor, {"role": role, "user_id": user.id})
    return appointment


def _conflict(case: Case, user: User, reason: ConflictReason, actor) -> None:
    """Record that ``user`` must not see the case. An officer of the case is replaced first
    (the case is never left in investigation or review without one), and their appointment
    ends."""
    exists = db.session.scalar(sa.select(CaseConflict.id).where(
        CaseConflict.case_id == case.id, CaseConflict.user_id == user.id))
    if exists is None:
        facts = facts_for(case)
        for role, officers, stages in (
            (OfficerRole.INVESTIGATING, facts.investigating_officers,
             (Stage.INVESTIGATION, Stage.HEARING)),
            (OfficerRole.REVIEWING, facts.reviewing_officers, (Stage.REVIEW,)),
        ):
            if user.id not in officers:
                continue
            others = [u for u in officers if u != user.id and not facts.involved_as(
                u, ignore=(f"{role}_officer",))]
            if case.stage in stages and not others:
                refuse("declare_conflict", case, actor, [REPLACE_OFFICER_FIRST])
            for appointment in db.session.scalars(sa.select(OfficerAppointment).where(
                    OfficerAppointment.case_id == case.id, OfficerAppointment.user_id == user.id,
                    OfficerAppointment.ended_at.is_(None))):
                appointment.ended_at = now()
        db.session.add(CaseConflict(case_id=case.id, user_id=user.id, reason=reason,
                                    declared_at=now(), declared_by_id=getattr(actor, "id", None)))
        db.session.flush()
        _audit("case.conflict_recorded", case, actor, {"user_id": user.id, "reason": reason})


def declare_conflict(actor: User, case: Case, user: User, reason: str) -> None:
    """Record that ``user`` must not see the case (a colleague or relative of a party ...).

    From then on the case scope hides it from them everywhere: boards, the loader, emails.
    """
    reason = ConflictReason(reason)
    _require("declare_conflict", case, actor, P.MANAGE_CASES)
    _conflict(case, user, reason, actor)
    _done("case.conflict_declared", case, actor, {"user_id": user.id, "reason": reason},
          payload={"reason": reason})


# --- side flags: police hold (7.2), interruption of studies (15.7) --------------------------


def set_police_hold(actor: User, case: Case, on: bool) -> None:
    """Put the case on police hold, or lift it. The investigation waits; measure reviews go
    on. After the criminal process, the matter is reviewed whatever the outcome (7.5)."""
    reasons = case_workflow.police_hold_reasons(facts_for(case), on=on,
                                                granted=granted_for(actor, case))
    if reasons:
        refuse("police_hold", case, actor, reasons)
    case.police_hold, case.police_hold_since = on, now() if on else None
    _done("case.police_hold_set" if on else "case.police_hold_lifted", case, actor)


def pause(actor: User, case: Case) -> None:
    """Pause the case for an interruption of studies (15.7)."""
    reasons = case_workflow.pause_reasons(facts_for(case), on=True,
                                          granted=granted_for(actor, case))
    if reasons:
        refuse("pause", case, actor, reasons)
    case.paused, case.paused_since = True, now()
    _done("case.paused", case, actor)


def record_resume_consent(actor: User, case: Case, party: CaseParty) -> None:
    """A party's consent for the procedure to resume after an interruption (15.7)."""
    _party(case, party, "record_resume_consent", actor)
    _require("record_resume_consent", case, actor, P.MANAGE_CASES,
             (party.role == PartyRole.WITNESS, WRONG_PARTY))
    party.resume_consent_at = now()
    _done("case.resume_consent", case, actor, {"party_id": party.id})


def resume(actor: User, case: Case) -> None:
    """Resume a paused case: only once both parties' consent is recorded (15.7)."""
    reasons = case_workflow.pause_reasons(facts_for(case), on=False,
                                          granted=granted_for(actor, case))
    if reasons:
        refuse("resume", case, actor, reasons)
    case.paused, case.paused_since = False, None
    _done("case.resumed", case, actor)


# --- review requests (16) and the end of procedures -----------------------------------------


def record_review_request(actor: User, case: Case, party: CaseParty, received_on: date,
                          grounds: Iterable[str], details: str) -> ReviewRequest:
    """A party's written review request (16.1, 16.8): who asked, when it was received, at
    least one ground of 16.8 and the details of why they are dissatisfied (16.5, encrypted).
    Acknowledgement is due in 5 working days, a response in 21 calendar days."""
    _party(case, party, "record_review_request", actor)
    grounds = sorted({ReviewGround(g).value for g in grounds})
    _require("record_review_request", case, actor, P.MANAGE_CASES,
             (party.role == PartyRole.WITNESS, WRONG_PARTY),
             (not grounds, NO_GROUND), (not (details or "").strip(), NEEDS_TEXT))
    request = ReviewRequest(case_id=case.id, party_id=party.id, received_on=received_on,
                            grounds=grounds, details=details.strip(), recorded_at=now())
    db.session.add(request)
    db.session.flush()
    centre = get_centre(case.centre)
    if centre is not None:
        _add_deadline(case, DeadlineKind.REVIEW_ACKNOWLEDGEMENT,
                      rules.review_acknowledgement_due(rules.calendar_of(centre), received_on),
                      review_request_id=request.id)
    _add_deadline(case, DeadlineKind.REVIEW_RESPONSE, rules.review_response_due(received_on),
                  review_request_id=request.id)
    _done("case.review_requested", case, actor, {"request_id": request.id, "grounds": grounds})
    return request


def acknowledge_review_request(actor: User, case: Case, request: ReviewRequest,
                               on: date | None = None) -> None:
    _require("acknowledge_review_request", case, actor, P.DECIDE_REVIEWS,
             (request.case_id != case.id, WRONG_PARTY))
    request.acknowledged_on = on or _today(case)
    _close_deadlines(case, actor, DeadlineKind.REVIEW_ACKNOWLEDGEMENT,
                     review_request_id=request.id)
    _done("case.review_request_acknowledged", case, actor, {"request_id": request.id})


def set_alternative_timescale(actor: User, case: Case, request: ReviewRequest, due_on: date,
                              reason: str) -> None:
    """16.6: when the response will be later than 3 weeks, an alternative timescale is issued
    with its reason (the letter: ``LetterKind.ALTERNATIVE_TIMESCALE``); its date becomes the
    response deadline."""
    _require("set_alternative_timescale", case, actor, P.DECIDE_REVIEWS,
             (request.case_id != case.id, WRONG_PARTY), (not reason.strip(), NEEDS_TEXT),
             *((True, r) for r in case_workflow.timescale_reasons(
                 due_on=due_on, usual_due_on=rules.review_response_due(request.received_on),
                 today=_today(case), answered=request.responded_on is not None)))
    alternative = rules.AlternativeTimescale(due_on, reason)
    request.alternative_due_on, request.alternative_reason = alternative.due_on, reason.strip()
    for deadline in db.session.scalars(sa.select(Deadline).where(
            Deadline.review_request_id == request.id, Deadline.kind == DeadlineKind.REVIEW_RESPONSE,
            Deadline.status == DeadlineStatus.OPEN)):
        deadline.due_on = rules.review_response_due(request.received_on, alternative)
    _done("case.review_timescale_set", case, actor,
          {"request_id": request.id, "due_on": due_on.isoformat()})


def reviewing_officer_reasons(actor: User, case: Case) -> list[Reason]:
    """Why ``actor`` may not record the review's own steps on ``case`` now (16.6)."""
    return case_workflow.review_officer_reasons(facts_for(case), actor_id=actor.id,
                                                granted=granted_for(actor, case))


def record_review_form(actor: User, case: Case, request: ReviewRequest, form: str, *,
                       hearing_on: date | None = None, arrangements: str | None = None,
                       decided: bool = False) -> None:
    """16.7: the Reviewing Officer decides whether the review is a paper review (the normal
    form) or a new hearing, with the hearing's date and arrangements. The choice may change
    until the request is decided (``decided``: the letters area knows)."""
    form = ReviewForm(form)
    hearing = form is ReviewForm.HEARING
    reasons = reviewing_officer_reasons(actor, case)
    if request.case_id != case.id:
        reasons.append(WRONG_PARTY)
    reasons += case_workflow.review_form_reasons(
        form, hearing_on=hearing_on, arrangements=arrangements, decided=decided)
    if reasons:
        refuse("record_review_form", case, actor, reasons)
    request.review_form, request.review_form_on = form, _today(case)
    request.hearing_on = hearing_on if hearing else None
    request.hearing_arrangements = arrangements.strip() if hearing and arrangements else None
    _done("case.review_form_chosen", case, actor, {"request_id": request.id, "form": form})


def record_review_answered(actor: User, case: Case, request: ReviewRequest, on: date, *,
                           final: bool) -> None:
    """The decision on a review request is its answer (16.11): the response deadline is met
    (or missed); when it is the last request to be decided (``final``), it is the case's
    final decision, and the Completion of Procedures letter is due within 28 days. The
    letters area records the decision itself and calls this."""
    if request.responded_on is None:
        request.responded_on = on
        _close_deadlines(case, actor, DeadlineKind.REVIEW_RESPONSE,
                         review_request_id=request.id)
    if request.acknowledged_on is None:  # answered, so received: met or missed by then
        request.acknowledged_on = on
        _close_deadlines(case, actor, DeadlineKind.REVIEW_ACKNOWLEDGEMENT,
                         review_request_id=request.id)
    if final and (case.final_decision_on is None or case.final_decision_on < on):
        _final_decision(case, actor, on)


def respond_review_request(actor: User, case: Case, request: ReviewRequest,
                           on: date | None = None) -> None:
    _require("respond_review_request", case, actor, P.DECIDE_REVIEWS,
             (request.case_id != case.id, WRONG_PARTY))
    request.responded_on = on or _today(case)
    _close_deadlines(case, actor, DeadlineKind.REVIEW_RESPONSE, review_request_id=request.id)
    _done("case.review_request_answered", case, actor, {"request_id": request.id})


def _final_decision(case: Case, actor, on: date) -> None:
    """The case's final decision is ``on``: the Completion of Procedures letter's 28 days
    count from it (an open deadline moves; otherwise a new one opens)."""
    case.final_decision_on = on
    due = rules.completion_letter_due(on)
    open_ones = list(db.session.scalars(sa.select(Deadline).where(
        Deadline.case_id == case.id, Deadline.kind == DeadlineKind.COMPLETION_LETTER,
        Deadline.status == DeadlineStatus.OPEN)))
    for deadline in open_ones:
        deadline.due_on = due
    if not open_ones:
        _add_deadline(case, DeadlineKind.COMPLETION_LETTER, due)
    _audit("case.final_decision", case, actor, {"on": on.isoformat()})
    _event(case, "final_decision", actor, {"on": on.isoformat()})


def record_final_decision(actor: User, case: Case, on: date) -> None:
    """The procedure's final decision: the Completion of Procedures letter is due in 28 days."""
    _require("record_final_decision", case, actor, P.CONVENE_CASE_REVIEW)
    _final_decision(case, actor, on)
    _touch(case)
    db.session.flush()


def record_completion_letter(actor: User, case: Case) -> None:
    """The Completion of Procedures letter was issued (the letter itself: the next issue)."""
    _require("record_completion_letter", case, actor, P.CONVENE_CASE_REVIEW)
    _close_deadlines(case, actor, DeadlineKind.COMPLETION_LETTER)
    _done("case.completion_letter_issued", case, actor)


def acknowledge_report(actor: User, case: Case) -> None:
    """The first acknowledgement of the case's report was made: its deadline is met."""
    _require("acknowledge_report", case, actor, P.MANAGE_CASES)
    _close_deadlines(case, actor, DeadlineKind.REPORT_ACKNOWLEDGEMENT)
    _done("case.report_acknowledged", case, actor)


# --- the investigation (13) -------------------------------------------------------------------


def _investigating(action: str, case: Case, actor, *more: tuple[bool, Reason]) -> None:
    """Refuse unless the actor investigates this case now (and no ``(blocked, reason)``)."""
    reasons = case_workflow.investigation_record_reasons(facts_for(case),
                                                         granted=granted_for(actor, case))
    reasons += [reason for blocked, reason in more if blocked]
    if reasons:
        refuse(action, case, actor, reasons)


def _investigation(case: Case) -> Investigation:
    found = db.session.scalar(sa.select(Investigation).where(Investigation.case_id == case.id))
    if found is None:
        found = Investigation(case_id=case.id, updated_at=now())
        db.session.add(found)
    return found


def record_scope(actor: User, case: Case, scope: str) -> InvestigationScope:
    """The scope of the investigation (13.10). A new scope never overwrites the earlier one."""
    _investigating("record_scope", case, actor, (not scope.strip(), NEEDS_TEXT))
    row = InvestigationScope(case_id=case.id, scope=scope.strip(), recorded_at=now(),
                             recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    _done("case.investigation_scope_recorded", case, actor, {"scope_id": row.id})
    return row


@dataclass(frozen=True)
class MeetingDetails:
    held_on: date
    welfare_check: bool
    services_signposted: str
    notes: str
    accompanied_by: str | None = None
    adjustments: str | None = None
    order_reason: str | None = None


def record_meeting(actor: User, case: Case, party: CaseParty,
                   details: MeetingDetails) -> InvestigationMeeting:
    """A meeting with a party or a witness (13.5-13.9), checked by
    ``workflow.meeting_reasons``: welfare check, the policy's order, the police hold."""
    _party(case, party, "record_meeting", actor)
    reasons = case_workflow.meeting_reasons(
        facts_for(case), role=party.role, met=roles_met(case),
        welfare_check=details.welfare_check,
        services_signposted=bool(details.services_signposted.strip()),
        order_reason=bool((details.order_reason or "").strip()),
        police_advice=police_advice_since_hold(case) if case.police_hold else None,
        granted=granted_for(actor, case))
    reasons += [NEEDS_TEXT] if not details.notes.strip() else []
    if reasons:
        refuse("record_meeting", case, actor, reasons, detail={"party_id": party.id})
    meeting = InvestigationMeeting(
        case_id=case.id, party_id=party.id, held_on=details.held_on, welfare_check=True,
        services_signposted=details.services_signposted.strip(),
        accompanied_by=details.accompanied_by or None, adjustments=details.adjustments or None,
        notes=details.notes.strip(), order_reason=details.order_reason or None,
        recorded_at=now(), recorded_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    _done("case.investigation_meeting_recorded", case, actor, {
        "meeting_id": meeting.id, "party_id": party.id, "role": party.role,
        "out_of_order": meeting.order_reason is not None})
    return meeting


def _meeting(case: Case, meeting: InvestigationMeeting, action: str, actor) -> None:
    if meeting.case_id != case.id:
        refuse(action, case, actor, [WRONG_PARTY])


def record_notes_sent(actor: User, case: Case, meeting: InvestigationMeeting,
                      sent_on: date) -> None:
    """The date the meeting's notes were sent to the interviewee (13.9)."""
    _meeting(case, meeting, "record_notes_sent", actor)
    _investigating("record_notes_sent", case, actor)
    meeting.notes_sent_on = sent_on
    _done("case.meeting_notes_sent", case, actor, {"meeting_id": meeting.id})


def record_meeting_comments(actor: User, case: Case, meeting: InvestigationMeeting,
                            comments: str, received_on: date) -> None:
    """The interviewee's comments on the notes, kept alongside them (13.9); the notes stay as
    they were. Later comments are added after the earlier ones, never in their place."""
    _meeting(case, meeting, "record_meeting_comments", actor)
    _investigating("record_meeting_comments", case, actor, (not comments.strip(), NEEDS_TEXT))
    dated = f"{received_on.isoformat()}: {comments.strip()}"
    meeting.comments = f"{meeting.comments}\n\n{dated}" if meeting.comments else dated
    meeting.comments_on = received_on
    _done("case.meeting_comments_recorded", case, actor, {"meeting_id": meeting.id})


def record_police_liaison(actor: User, case: Case, consulted_on: date, police_contact: str,
                          advice: str, may_contact_responding: bool) -> PoliceLiaison:
    """A consultation with the police about contacting the responding party (13.11)."""
    _investigating("record_police_liaison", case, actor,
                   (not case.police_hold, case_workflow.NOT_ON_HOLD),
                   (not (police_contact.strip() and advice.strip()), NEEDS_TEXT))
    liaison = PoliceLiaison(case_id=case.id, consulted_on=consulted_on,
                            police_contact=police_contact.strip(), advice=advice.strip(),
                            may_contact_responding=may_contact_responding, recorded_at=now(),
                            recorded_by_id=actor.id)
    db.session.add(liaison)
    db.session.flush()
    _done("case.police_liaison_recorded", case, actor, {
        "liaison_id": liaison.id, "may_contact_responding": may_contact_responding})
    return liaison


def record_counter_allegation(actor: User, case: Case, party: CaseParty, received_on: date,
                              summary: str, decision: str,
                              reason: str) -> CounterAllegation:
    """A responding party's counter-allegation, with the decision on it (13.12)."""
    decision = CounterDecision(decision)
    _party(case, party, "record_counter_allegation", actor)
    _investigating("record_counter_allegation", case, actor,
                   (party.role != PartyRole.RESPONDING, case_workflow.NOT_A_RESPONDING_PARTY),
                   (not (summary.strip() and reason.strip()), NEEDS_TEXT))
    counter = CounterAllegation(case_id=case.id, party_id=party.id, received_on=received_on,
                                summary=summary.strip(), decision=decision,
                                decision_reason=reason.strip(), recorded_at=now(),
                                recorded_by_id=actor.id)
    db.session.add(counter)
    db.session.flush()
    _done("case.counter_allegation_recorded", case, actor, {
        "counter_allegation_id": counter.id, "party_id": party.id, "decision": decision})
    return counter


def record_conclusion(actor: User, case: Case, conclusion: str, concluded_on: date) -> None:
    """The conclusion, breach or no breach, on the balance of probabilities (13.16). Once
    recorded it stands; the case review then meets again (13.19)."""
    conclusion = Conclusion(conclusion)
    reasons = case_workflow.conclusion_reasons(facts_for(case), granted=granted_for(actor, case))
    if reasons:
        refuse("record_conclusion", case, actor, reasons)
    investigation = _investigation(case)
    investigation.conclusion, investigation.concluded_on = conclusion, concluded_on
    investigation.concluded_by_id, investigation.updated_at = actor.id, now()
    _done("case.investigation_concluded", case, actor, {"conclusion": conclusion})


def record_loop_closed(actor: User, case: Case, met_on: date, next_steps: str) -> None:
    """The case review met again once the investigation was concluded, and agreed the next
    steps (13.19). Until this is recorded the case does not move on."""
    reasons = case_workflow.loop_reasons(facts_for(case), granted=granted_for(actor, case))
    reasons += [NEEDS_TEXT] if not next_steps.strip() else []
    if reasons:
        refuse("record_loop_closed", case, actor, reasons)
    investigation = _investigation(case)
    investigation.loop_met_on, investigation.loop_next_steps = met_on, next_steps.strip()
    investigation.loop_recorded_by_id, investigation.updated_at = actor.id, now()
    _done("case.investigation_loop_closed", case, actor)


# --- evidence (13.15) ----------------------------------------------------------------------


EVIDENCE_REFUSED = Reason(
    "evidence_refused",
    _l("The file cannot be added: it must be a PDF, an image, a text or an exported email, "
       "and its content must match its name."),
)
ALREADY_REDACTED = Reason("already_redacted", _l("This item is already marked not relevant."))


def add_evidence(actor: User, case: Case, title: str, filename: str,
                 raw: bytes) -> EvidenceItem:
    """Keep an evidence file exactly as uploaded, encrypted, with its SHA-256, as the next
    appendix (13.15). Its content decides what it is (``hsm.cases.evidence``); for an image
    a copy without metadata is derived for sharing. Nothing ever deletes it."""
    try:
        found = evidence_rules.inspect(raw, filename)
        copy = evidence_rules.shared_copy(raw, found.kind)
    except evidence_rules.EvidenceRejected:
        found = copy = None
    _investigating("add_evidence", case, actor, (found is None, EVIDENCE_REFUSED),
                   (not title.strip(), NEEDS_TEXT))
    appendix = 1 + (db.session.scalar(sa.select(sa.func.max(EvidenceItem.appendix))
                                      .where(EvidenceItem.case_id == case.id)) or 0)
    item = EvidenceItem(
        case_id=case.id, appendix=appendix, title=title.strip(),
        filename=evidence_rules.filename_of(filename), kind=found.kind,
        media_type=found.media_type, size=len(raw), sha256=evidence_rules.sha256(raw),
        original=raw, shared_copy=copy, uploaded_at=now(), uploaded_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    _done("case.evidence_added", case, actor, {
        "evidence_id": item.id, "appendix": appendix, "kind": found.kind,
        "size": item.size, "sha256": item.sha256})
    return item


def redact_evidence(actor: User, case: Case, item: EvidenceItem, reason: str) -> None:
    """Mark an item "not relevant, redacted" (13.15): it stays, unchanged, as evidence, but
    never reaches a party's copy. A marking is never taken back."""
    if item.case_id != case.id:
        refuse("redact_evidence", case, actor, [WRONG_PARTY])
    _investigating("redact_evidence", case, actor, (item.redacted, ALREADY_REDACTED),
                   (not reason.strip(), NEEDS_TEXT))
    item.redacted, item.redacted_reason = True, reason.strip()
    item.redacted_at, item.redacted_by_id = now(), actor.id
    _done("case.evidence_redacted", case, actor, {"evidence_id": item.id,
                                                   "appendix": item.appendix})


def record_evidence_read(actor: User, case: Case, item: EvidenceItem, which: str) -> None:
    """A download of an evidence file (the original or its shared copy): audited, as every
    access to sensitive data is; not on the timeline."""
    _audit("case.evidence_downloaded", case, actor, {"evidence_id": item.id, "copy": which})


def record_integrity_failure(actor: User, case: Case, item) -> None:
    """A stored file (an evidence item or an impact statement) failed its integrity check:
    never served, and said in the audit log."""
    kind = "evidence" if isinstance(item, EvidenceItem) else "impact_statement"
    _audit(f"case.{kind}_integrity_failed", case, actor, {f"{kind}_id": item.id})


# --- moves ------------------------------------------------------------------------------------


def move(actor: User, case: Case, target: str, reason: str | None = None, *,
         expected: str | None = None, at: datetime | None = None) -> None:
    """Move the case from ``expected`` (default: where it is) to ``target``.

    The workflow table decides (``hsm.cases.workflow``): a move not in it, not permitted on
    this case, or blocked by a rule raises ``Refused`` with every reason (audited). A move
    into *closed* takes a ``ClosureReason`` code as ``reason``. The move is one conditional
    UPDATE (``hsm.workflow.apply``): from a stale page, or made twice, it changes nothing and
    raises ``StaleMove``.
    """
    at = at or now()
    expected = str(expected or case.stage)
    target = str(Stage(target))
    where = {"from": expected, "to": target}
    if case.stage != expected:
        refuse("move", case, actor, [STALE], detail=where,
               error=StaleMove(expected, case.stage))
    facts = facts_for(case)
    try:
        case_workflow.check_move(facts, target, granted_for(actor, case), reason)
    except Refused as refused:
        refuse("move", case, actor, refused.reasons, detail=where, error=refused)
    values: dict = {"stage_changed_at": at, "version": Case.version + 1}
    if target == Stage.CLOSED:
        values |= {"closure_reason": str(ClosureReason(reason)), "closed_at": at}
    elif expected == Stage.CLOSED:
        values |= {"closure_reason": None, "closed_at": None}
    if target == Stage.CASE_REVIEW and case.case_review_convened_at is None:
        values |= {"case_review_convened_at": at, "case_review_convened_by_id": actor.id}
    if not workflow.apply(db.session, case, target, expected=expected, values=values):
        refuse("move", case, actor, [STALE], detail=where,
               error=StaleMove(expected, case.stage))
    db.session.expire(case, ["version"])
    board_changed(case.centre)
    detail = {"from": expected, "to": target}
    if target == Stage.CLOSED:
        detail["closure_reason"] = reason
    _audit("case.moved", case, actor, detail)
    _event(case, "stage_changed", actor, detail, at=at)
    if target == Stage.CLOSED:
        for kind in DeadlineKind:
            if kind is not DeadlineKind.COMPLETION_LETTER:
                _close_deadlines(case, actor, kind, cancel=True, at=at)
    db.session.flush()


def close(actor: User, case: Case, closure_reason: str, *, expected: str | None = None) -> None:
    """Close the case, always with a closure reason (13.16: dismissed with continued support
    is one of them)."""
    move(actor, case, Stage.CLOSED, closure_reason, expected=expected)



# --- the hearing (14) -------------------------------------------------------------------------


NO_COMMITTEE = Reason("no_committee", _l("No hearing committee member is appointed (14.1)."))
ATTENDANCE_ARRANGEMENTS = Reason(
    "attendance_arrangements",
    _l("The reporting party attends: record the arrangements, a safe place to give evidence "
       "and questions through the Chair, or write what was arranged instead (14.3)."))
IMPACT_STATEMENT_EMPTY = Reason(
    "impact_statement_empty", _l("Write the impact statement, or add its file."))


def _hearing(case: Case) -> Hearing:
    found = db.session.scalar(sa.select(Hearing).where(Hearing.case_id == case.id))
    if found is None:
        found = Hearing(case_id=case.id, updated_at=now())
        db.session.add(found)
    return found


def _at_hearing(action: str, case: Case, actor, permission: Permission,
                *more: tuple[bool, Reason]) -> None:
    reasons = case_workflow.hearing_record_reasons(facts_for(case),
                                                   granted=granted_for(actor, case),
                                                   permission=permission)
    reasons += [reason for blocked, reason in more if blocked]
    if reasons:
        refuse(action, case, actor, reasons)


def appoint_committee_member(actor: User, case: Case, user: User) -> OfficerAppointment:
    """Appoint a member of the disciplinary committee (14.1): someone with no earlier
    involvement in the case, by the same check as the officers'."""
    reasons = case_workflow.committee_reasons(facts_for(case), user_id=user.id,
                                              active=user.active,
                                              granted=granted_for(actor, case))
    if reasons:
        refuse("appoint_committee_member", case, actor, reasons)
    appointment = OfficerAppointment(case_id=case.id, role=OfficerRole.COMMITTEE,
                                     user_id=user.id, appointed_at=now(),
                                     appointed_by_id=actor.id)
    db.session.add(appointment)
    db.session.flush()
    _done("case.committee_member_appointed", case, actor, {"user_id": user.id})
    return appointment


def record_attendance(actor: User, case: Case, attends: bool, *, safe_place: bool = False,
                      questions_through_chair: bool = False,
                      arrangements: str | None = None) -> Hearing:
    """Whether the reporting party attends the hearing, with the arrangements (14.3): a safe
    place to give evidence, questions filtered through the Chair. Attending is never
    required; it can be recorded again until the decision."""
    arrangements = (arrangements or "").strip() or None
    _at_hearing("record_attendance", case, actor, P.MANAGE_CASES,
                (attends and not (safe_place or questions_through_chair or arrangements),
                 ATTENDANCE_ARRANGEMENTS))
    hearing = _hearing(case)
    hearing.reporting_attends = attends
    hearing.safe_place = attends and safe_place
    hearing.questions_through_chair = attends and questions_through_chair
    hearing.arrangements, hearing.attendance_recorded_at = arrangements, now()
    hearing.updated_at = now()
    _done("case.hearing_attendance_recorded", case, actor, {"attends": attends})
    return hearing


def add_impact_statement(actor: User, case: Case, received_on: date, *,
                         text: str | None = None, filename: str | None = None,
                         raw: bytes | None = None) -> ImpactStatement:
    """The reporting party's impact statement (14.4), written or a file, or both. It is
    sealed until the decision on the merits: the audit log and the timeline say only that
    one was received. A file is checked by its content like evidence, and kept exactly,
    encrypted, with its SHA-256."""
    text = (text or "").strip() or None
    found = None
    if raw is not None:
        try:
            found = evidence_rules.inspect(raw, filename or "")
        except evidence_rules.EvidenceRejected:
            found = None
    _at_hearing("add_impact_statement", case, actor, P.MANAGE_CASES,
                (raw is not None and found is None, EVIDENCE_REFUSED),
                (text is None and raw is None, IMPACT_STATEMENT_EMPTY))
    statement = ImpactStatement(
        case_id=case.id, received_on=received_on, kind=found.kind if found else "written",
        text=text, recorded_at=now(), recorded_by_id=actor.id)
    if found is not None:
        statement.filename = evidence_rules.filename_of(filename or "")
        statement.media_type, statement.size = found.media_type, len(raw)
        statement.sha256, statement.original = evidence_rules.sha256(raw), raw
    db.session.add(statement)
    db.session.flush()
    _done("case.impact_statement_received", case, actor, {"statement_id": statement.id})
    return statement


def record_hearing_decision(actor: User, case: Case, finding: str, reasons: str,
                            decided_on: date) -> Hearing:
    """The committee's decision on the merits (14.4). From now on the impact statement is
    unsealed, and the case may move to the outcome."""
    finding = Conclusion(finding)
    facts = facts_for(case)
    _at_hearing("record_hearing_decision", case, actor, P.DECIDE_NEXT_STEPS,
                (not facts.committee, NO_COMMITTEE), (not reasons.strip(), NEEDS_TEXT))
    hearing = _hearing(case)
    hearing.merits_finding, hearing.merits_reasons = finding, reasons.strip()
    hearing.decided_by_id, hearing.updated_at = actor.id, now()
    case.hearing_decided_on = decided_on
    _done("case.hearing_decided", case, actor, {"finding": finding,
                                                 "on": decided_on.isoformat()})
    return hearing


def record_impact_statement_read(actor: User, case: Case, statement: ImpactStatement) -> None:
    """A read of an unsealed impact statement's file: audited, not on the timeline."""
    _audit("case.impact_statement_downloaded", case, actor, {"statement_id": statement.id})


# --- the outcome (15): studies left or interrupted, the visa authority ----------------------


VISA_NOTICE_WORKING_DAYS = 5


def record_studies_change(actor: User, case: Case, party: CaseParty, change: str,
                          on: date) -> None:
    """A party left their course (15.6: the investigation normally goes on and a finding is
    made) or interrupted their studies (15.7: the procedure resumes only with both parties'
    consent; the case is paused with its own action)."""
    _party(case, party, "record_studies_change", actor)
    change = StudiesChange(change)
    _require("record_studies_change", case, actor, P.MANAGE_CASES,
             (party.role == PartyRole.WITNESS, WRONG_PARTY),
             (case.stage == Stage.CLOSED, case_workflow.CASE_CLOSED))
    party.studies_change, party.studies_changed_on = change, on
    _done("case.studies_change_recorded", case, actor,
          {"party_id": party.id, "change": change, "on": on.isoformat()})


def require_visa_notification(actor: User, case: Case, decided_on: date) -> Deadline:
    """15.4: a recommended permanent exclusion means notifying the visa authority; a task
    on the case (a deadline of its own kind), due 5 working days after the decision."""
    centre = get_centre(case.centre)
    due = (rules.after_working_days(rules.calendar_of(centre), decided_on,
                                    VISA_NOTICE_WORKING_DAYS) if centre else decided_on)
    existing = db.session.scalar(sa.select(Deadline).where(
        Deadline.case_id == case.id, Deadline.kind == DeadlineKind.VISA_NOTIFICATION,
        Deadline.status == DeadlineStatus.OPEN))
    return existing or _add_deadline(case, DeadlineKind.VISA_NOTIFICATION, due)


def record_visa_notified(actor: User, case: Case) -> None:
    """The visa authority was notified: the task is done."""
    _require("record_visa_notified", case, actor, P.DECIDE_NEXT_STEPS)
    _close_deadlines(case, actor, DeadlineKind.VISA_NOTIFICATION)
    _done("case.visa_authority_notified", case, actor)
