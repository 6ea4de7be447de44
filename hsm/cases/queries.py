"""Reading cases: who sees which case (one scope), the one loader, facts, sections, deadlines.

``CaseScope`` is the one rule of who sees a case, in Python (``sees``) and as ONE SQL clause
(``clause``): the boards' lists, ``load_case_for`` and every email use it, and a test checks
both forms agree. Conflicts of interest win over everything: someone who must not see a case
(a party with a staff account, anyone declared conflicted) never does, whatever their role.

Roles and what they see:
- Student Services, Centre Director: their centre's cases;
- Safeguarding Director: every centre;
- case review member: only the cases whose review team they are on;
- Investigating Officer / Reviewing Officer: only the cases they are appointed to;
- People Team: cases with a staff respondent, at every centre;
- Admin, EDI, Executive, Safe Contact: none.

Inside a case, ``sections_for`` says which parts of the case page a person may read (need
to know, 19.1), and ``granted_for`` which permissions they hold *on that case*: what the
workflow's moves check.
"""

from __future__ import annotations

import enum
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import defer, lazyload, selectinload

from hsm import pagecache
from hsm.accounts.models import RoleAssignment, User
from hsm.cases import deadlines as deadline_rules
from hsm.cases import workflow
from hsm.cases.forms import Options
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
    OfficerAppointment,
    PoliceLiaison,
    ReviewRequest,
    RiskAssessment,
    SupportItem,
)
from hsm.cases.terms import (
    MEASURE_KIND_LABELS,
    PARTY_ROLE_LABELS,
    SUPPORT_KIND_LABELS,
    SUPPORT_STATUS_LABELS,
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    Marking,
    MeasureKind,
    MeasureStatus,
    OfficerRole,
    PartyRole,
    PartyType,
    ReviewTeamRole,
    Stage,
    SupportKind,
    SupportStatus,
)
from hsm.centres.registry import all_centres, get_centre
from hsm.crypto import TamperedCiphertext
from hsm.extensions import db
from hsm.i18n import _, format_date, get_locale
from hsm.letters.models import Outcome, ReviewDecision
from hsm.reports.models import Report
from hsm.security import (
    CENTRE_SCOPED_ROLES,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    centre_filter,
    deny,
)

MAX_ID = 2**31 - 1
P = Permission

# --- the case scope ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """The facts about one case that decide who sees it (``access_of`` loads them)."""

    centre: str
    staff_respondent: bool
    members: frozenset[int] = frozenset()
    investigating_officers: frozenset[int] = frozenset()
    reviewing_officers: frozenset[int] = frozenset()
    conflicted: frozenset[int] = frozenset()


@dataclass(frozen=True)
class CaseScope:
    """Which cases one actor sees. ``None`` for a set of centres means every centre."""

    user_id: int | None
    centres: frozenset[str] | None = frozenset()  # VIEW_CASES
    staff_respondent: frozenset[str] | None = frozenset()  # VIEW_STAFF_RESPONDENT_CASES
    review_member: bool = False  # REVIEW_CASES: the cases whose review team they are on
    investigating: bool = False  # INVESTIGATE_CASES: the cases they investigate
    reviewing: bool = False  # DECIDE_REVIEWS: the reviews they are appointed to

    @classmethod
    def of(cls, actor) -> CaseScope:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return cls(user_id=None)
        return cls(
            user_id=actor.id,
            centres=centre_filter(P.VIEW_CASES, actor),
            staff_respondent=centre_filter(P.VIEW_STAFF_RESPONDENT_CASES, actor),
            review_member=bool(centre_filter(P.REVIEW_CASES, actor) != frozenset()),
            investigating=bool(centre_filter(P.INVESTIGATE_CASES, actor) != frozenset()),
            reviewing=bool(centre_filter(P.DECIDE_REVIEWS, actor) != frozenset()),
        )

    @property
    def any(self) -> bool:
        """Whether this actor could see any case at all (a case board for them)."""
        return self.user_id is not None and (
            self.centres is None or bool(self.centres)
            or self.staff_respondent is None or bool(self.staff_respondent)
            or self.review_member or self.investigating or self.reviewing
        )

    def sees(self, access: Access) -> bool:
        """The rule, in Python."""
        uid = self.user_id
        if uid is None or uid in access.conflicted:
            return False
        return (
            self.centres is None
            or access.centre in self.centres
            or (access.staff_respondent and (
                self.staff_respondent is None or access.centre in self.staff_respondent))
            or (self.review_member and uid in access.members)
            or (self.investigating and uid in access.investigating_officers)
            or (self.reviewing and uid in access.reviewing_officers)
        )

    def clause(self):
        """The same rule as ``sees``, as one SQL condition on ``Case``."""
        uid = self.user_id
        if uid is None:
            return sa.false()
        parts = []
        if self.centres is None:
            parts.append(sa.true())
        elif self.centres:
            parts.append(Case.centre.in_(sorted(self.centres)))
        if self.staff_respondent is None:
            parts.append(Case.staff_respondent.is_(True))
        elif self.staff_respondent:
            parts.append(sa.and_(Case.staff_respondent.is_(True),
                                 Case.centre.in_(sorted(self.staff_respondent))))
        if self.review_member:
            parts.append(sa.exists().where(CaseReviewMember.case_id == Case.id,
                                           CaseReviewMember.user_id == uid))
        for wanted, role in ((self.investigating, OfficerRole.INVESTIGATING),
                             (self.reviewing, OfficerRole.REVIEWING)):
            if wanted:
                parts.append(sa.exists().where(
                    OfficerAppointment.case_id == Case.id,
                    OfficerAppointment.user_id == uid,
                    OfficerAppointment.role == role,
                    OfficerAppointment.ended_at.is_(None),
                ))
        if not parts:
            return sa.false()
        not_conflicted = ~sa.exists().where(CaseConflict.case_id == Case.id,
                                            CaseConflict.user_id == uid)
        return sa.and_(sa.or_(*parts), not_conflicted)


def access_of(case: Case) -> Access:
    """Load the facts that decide who sees ``case`` (three small indexed queries)."""
    return access_of_many([case])[case.id]


def access_of_many(cases: list[Case]) -> dict[int, Access]:
    """``access_of`` for many cases in three queries (a board's page of cards)."""
    ids = [c.id for c in cases]
    found: dict[int, dict[str, set[int]]] = {
        i: {"members": set(), "investigating": set(), "reviewing": set(), "committee": set(),
            "conflicted": set()}
        for i in ids
    }
    if ids:
        for case_id, uid in db.session.execute(
            sa.select(CaseReviewMember.case_id, CaseReviewMember.user_id).where(
                CaseReviewMember.case_id.in_(ids), CaseReviewMember.user_id.is_not(None))
        ):
            found[case_id]["members"].add(uid)
        for case_id, uid, role in db.session.execute(
            sa.select(OfficerAppointment.case_id, OfficerAppointment.user_id,
                      OfficerAppointment.role).where(
                OfficerAppointment.case_id.in_(ids), OfficerAppointment.ended_at.is_(None))
        ):
            found[case_id][str(role)].add(uid)
        for case_id, uid in db.session.execute(
            sa.select(CaseConflict.case_id, CaseConflict.user_id).where(
                CaseConflict.case_id.in_(ids))
        ):
            found[case_id]["conflicted"].add(uid)
    return {
        c.id: Access(
            centre=c.centre,
            staff_respondent=c.staff_respondent,
            members=frozenset(found[c.id]["members"]),
            investigating_officers=frozenset(found[c.id]["investigating"]),
            reviewing_officers=frozenset(found[c.id]["reviewing"]),
            conflicted=frozenset(found[c.id]["conflicted"]),
        )
        for c in cases
    }


def load_case_for(actor, case_id: int) -> Case:
    """The case, if ``actor`` may see it; otherwise 404 (and the refusal is audited).

    One query: the scope's clause is part of the lookup, so a case outside the actor's
    scope is indistinguishable from one that does not exist.
    """
    if not 0 < case_id <= MAX_ID:
        deny("case_out_of_scope", status=404)
    case = db.session.scalar(
        sa.select(Case).where(Case.id == case_id, CaseScope.of(actor).clause())
    )
    if case is None:
        deny("case_out_of_scope", status=404)
    return case


def visible_cases(actor) -> sa.Select:
    """``SELECT case_record WHERE <the actor's scope>``: the start of every board list."""
    return sa.select(Case).where(CaseScope.of(actor).clause())


def may_see(actor, case: Case) -> bool:
    """Whether ``actor`` sees ``case`` (for emails: nobody is told of a case they cannot see)."""
    return CaseScope.of(actor).sees(access_of(case))


# --- roles and permissions on one case --------------------------------------------------------


def roles_on(actor, case: Case, access: Access | None = None) -> frozenset[Role]:
    """The actor's roles that apply to this case (none at all when they are conflicted)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    access = access or access_of(case)
    if actor.id in access.conflicted:
        return frozenset()
    found = set()
    for role_name, centre in actor.role_scopes():
        role = Role(role_name)
        if role in CENTRE_SCOPED_ROLES and centre not in (None, case.centre):
            continue
        if role is Role.CASE_REVIEW_MEMBER and actor.id not in access.members:
            continue
        if role is Role.INVESTIGATING_OFFICER and actor.id not in access.investigating_officers:
            continue
        if role is Role.REVIEWING_OFFICER and actor.id not in access.reviewing_officers:
            continue
        if role is Role.PEOPLE_TEAM and not case.staff_respondent:
            continue
        found.add(role)
    return frozenset(found)


def granted_for(actor, case: Case, access: Access | None = None) -> frozenset[str]:
    """The permissions ``actor`` holds on ``case``: what the workflow's moves check."""
    return frozenset(
        str(p) for role in roles_on(actor, case, access) for p in ROLE_PERMISSIONS[role]
    )


# --- need to know: the sections of a case page ------------------------------------------------


class Section(enum.StrEnum):
    PARTIES = "parties"
    SUPPORT_PLAN = "support_plan"
    WELLBEING_NOTES = "wellbeing_notes"
    RISK_ASSESSMENT = "risk_assessment"
    MEASURES = "measures"
    CASE_REVIEW = "case_review"
    INVESTIGATION = "investigation"
    TIMELINE = "timeline"
    HEARING = "hearing"


_S = Section
#: Which role reads which section of a case page (19.1: need to know). One table.
SECTIONS: dict[Role, frozenset[Section]] = {
    # 14.4: Student Services receive the impact statement and read it out at the hearing.
    Role.STUDENT_SERVICES: frozenset({_S.PARTIES, _S.SUPPORT_PLAN, _S.WELLBEING_NOTES,
                                      _S.RISK_ASSESSMENT, _S.MEASURES, _S.CASE_REVIEW,
                                      _S.TIMELINE, _S.HEARING}),
    Role.CENTRE_DIRECTOR: frozenset({_S.PARTIES, _S.RISK_ASSESSMENT, _S.MEASURES,
                                     _S.CASE_REVIEW, _S.INVESTIGATION, _S.TIMELINE,
                                     _S.HEARING}),
    Role.SAFEGUARDING_DIRECTOR: frozenset(Section),
    # 11.3: risks, precautionary measures and support needs.
    Role.CASE_REVIEW_MEMBER: frozenset({_S.PARTIES, _S.SUPPORT_PLAN, _S.RISK_ASSESSMENT,
                                        _S.MEASURES, _S.CASE_REVIEW, _S.TIMELINE}),
    # 19.3: what the investigation needs, never the reporting party's support or wellbeing.
    Role.INVESTIGATING_OFFICER: frozenset({_S.PARTIES, _S.MEASURES, _S.INVESTIGATION,
                                           _S.TIMELINE}),
    # 16.7: the detailed reasons of the first decision.
    Role.REVIEWING_OFFICER: frozenset({_S.PARTIES, _S.CASE_REVIEW, _S.INVESTIGATION,
                                       _S.TIMELINE, _S.HEARING}),
    Role.PEOPLE_TEAM: frozenset({_S.PARTIES, _S.RISK_ASSESSMENT, _S.MEASURES, _S.CASE_REVIEW,
                                 _S.INVESTIGATION, _S.TIMELINE, _S.HEARING}),
    Role.EDI_OFFICER: frozenset(),
    Role.SAFE_CONTACT: frozenset(),
    Role.EXECUTIVE: frozenset(),
    Role.ADMIN: frozenset(),
}


def sections_for(actor, case: Case, access: Access | None = None) -> frozenset[Section]:
    """The sections of this case's page that ``actor`` may read."""
    return frozenset(s for role in roles_on(actor, case, access) for s in SECTIONS[role])


def timeline(case: Case, sections: Iterable[Section], *, limit: int = 200) -> list[CaseEvent]:
    """The case's events in order. Notes marked wellbeing/past only with that section."""
    sections = set(sections)
    if Section.TIMELINE not in sections:
        return []
    query = sa.select(CaseEvent).where(CaseEvent.case_id == case.id)
    if Section.WELLBEING_NOTES not in sections:
        query = query.where(sa.or_(CaseEvent.marking.is_(None),
                                   CaseEvent.marking != Marking.WELLBEING_PAST))
    return list(db.session.scalars(query.order_by(CaseEvent.at, CaseEvent.id).limit(limit)))


# --- what is prepared for the responding party (19.3) ---------------------------------------


@dataclass(frozen=True)
class RespondingPartyView:
    """The material from which anything for a responding party is written (the next issue's
    letters). Never the reporting party's wellbeing or past: no note so marked, no support
    plan, no risk assessment, no report narrative, no disclosure, no other party's details."""

    reference: str
    centre: str
    stage: str
    party: CaseParty
    measures: list[Measure]
    notes: list[CaseEvent]


def responding_party_view(case: Case, party: CaseParty) -> RespondingPartyView:
    """What may be prepared for ``party`` (a responding party of ``case``)."""
    if party.case_id != case.id or party.role != PartyRole.RESPONDING:
        raise ValueError("the view is for a responding party of this case")
    measures = db.session.scalars(
        sa.select(Measure).where(Measure.case_id == case.id, Measure.party_id == party.id)
        .order_by(Measure.starts_on, Measure.id)
    )
    # Filtered in SQL: a wellbeing/past note is never even loaded.
    notes = db.session.scalars(
        sa.select(CaseEvent).where(
            CaseEvent.case_id == case.id,
            CaseEvent.kind == "note",
            CaseEvent.marking == Marking.INTERNAL,
        ).order_by(CaseEvent.at, CaseEvent.id)
    )
    return RespondingPartyView(
        reference=case.reference, centre=case.centre, stage=case.stage, party=party,
        measures=list(measures), notes=list(notes),
    )


# --- facts for the workflow -------------------------------------------------------------------


def facts_for(case: Case) -> workflow.Facts:
    """What the workflow needs to know about one case."""
    return facts_for_many([case])[case.id]


def facts_for_many(cases: list[Case]) -> dict[int, workflow.Facts]:
    """Facts for many cases in a fixed number of queries (for a board's cards).

    Each query reads only the columns the workflow looks at, as plain rows: nothing is
    decrypted (a party's name, a note) and no ORM object is made."""
    ids = [c.id for c in cases]
    if not ids:
        return {}
    by_case: dict[int, dict] = {i: defaultdict(list) for i in ids}

    def rows(*columns, order=()):
        table = columns[0].class_
        return db.session.execute(
            sa.select(table.case_id, *columns).where(table.case_id.in_(ids)).order_by(*order))

    P_, A, D, OA = CaseParty, CaseworkerAssignment, CaseReviewDecision, OfficerAppointment
    for key, columns, order in (
        ("parties", (P_.id, P_.role, P_.party_type, P_.user_id, P_.identity_known,
                     P_.informal_agreement, P_.nca_signed_on, P_.resume_consent_at), ()),
        ("caseworkers", (A.party_id, A.user_id, A.ended_at), ()),
        ("members", (CaseReviewMember.user_id, CaseReviewMember.role_title), ()),
        ("decisions", (D.recommend_investigation,), (D.met_on, D.id)),
        ("officers", (OA.user_id, OA.role, OA.ended_at), ()),
        ("conflicts", (CaseConflict.user_id, CaseConflict.reason), ()),
    ):
        for row in rows(*columns, order=order):
            by_case[row.case_id][key].append(row)
    assessed = set(db.session.scalars(
        sa.select(RiskAssessment.case_id).where(RiskAssessment.case_id.in_(ids)).distinct()))
    requested = set(db.session.scalars(
        sa.select(ReviewRequest.case_id).where(ReviewRequest.case_id.in_(ids)).distinct()))
    investigations = {row.case_id: row for row in rows(Investigation.conclusion,
                                                        Investigation.loop_met_on)}
    return {
        c.id: _facts(c, by_case[c.id], c.id in assessed, c.id in requested,
                     investigations.get(c.id)) for c in cases
    }


def _facts(case: Case, got: dict, assessed: bool, requested: bool,
           investigation=None) -> workflow.Facts:
    """The workflow's facts from the rows ``facts_for_many`` read (plain rows, by name)."""
    parties = got["parties"]
    reporting = next((p for p in parties if p.role == PartyRole.REPORTING), None)
    responding = [p for p in parties if p.role == PartyRole.RESPONDING]
    active = {a.party_id: a.user_id for a in got["caseworkers"] if a.ended_at is None}
    members = got["members"]
    counted = [m for m in members if m.role_title != ReviewTeamRole.CO_OPTED]
    decisions = got["decisions"]
    officers = got["officers"]

    involvement: dict[int, set[str]] = defaultdict(set)
    for party in parties:
        if party.user_id is not None:
            how = "witness" if party.role == PartyRole.WITNESS else "party"
            involvement[party.user_id].add(how)
    for assignment in got["caseworkers"]:  # earlier caseworkers were involved too
        involvement[assignment.user_id].add("caseworker")
    for member in members:
        if member.user_id is not None:
            involvement[member.user_id].add("case_review_member")
    for officer in officers:
        involvement[officer.user_id].add(f"{officer.role}_officer")
    for conflict in got["conflicts"]:
        involvement[conflict.user_id].add(
            conflict.reason if conflict.reason in ("party", "witness") else "conflicted")

    def current(role: str) -> tuple[int, ...]:
        return tuple(sorted(o.user_id for o in officers if o.role == role and o.ended_at is None))

    resume_parties = [p for p in ([reporting] if reporting else []) + responding]
    return workflow.Facts(
        stage=case.stage,
        police_hold=case.police_hold,
        paused=case.paused,
        urgent=case.urgent,
        staff_respondent=case.staff_respondent,
        reporting_party_known=bool(reporting and reporting.identity_known),
        reporting_caseworker=active.get(reporting.id) if reporting else None,
        responding_student_caseworkers=tuple(
            active.get(p.id) for p in responding if p.party_type == PartyType.STUDENT
        ),
        responding_parties=len(responding),
        reporting_agreement=reporting.informal_agreement if reporting else None,
        responding_agreements=tuple(p.informal_agreement for p in responding),
        nca_signed_by_all=bool(reporting and responding) and all(
            p.nca_signed_on for p in [reporting, *responding]),
        informal_breach=case.informal_breach_at is not None,
        wish_to_complain=case.complaint_confirmed_at is not None,
        director_acknowledged=case.director_acknowledged_at is not None,
        central_director_notified=case.central_director_notified_at is not None,
        risk_assessment=assessed,
        counted_members=len(counted),
        people_team_member=any(m.role_title == ReviewTeamRole.PEOPLE_TEAM for m in counted),
        convened=case.case_review_convened_at is not None,
        decisions_recorded=bool(decisions),
        investigation_recommended=bool(decisions) and decisions[-1].recommend_investigation,
        investigating_officers=current(OfficerRole.INVESTIGATING),
        reviewing_officers=current(OfficerRole.REVIEWING),
        involvement={uid: frozenset(how) for uid, how in involvement.items()},
        review_requested=requested,
        resume_consent_all=bool(resume_parties) and all(
            p.resume_consent_at is not None
            and case.paused_since is not None
            and p.resume_consent_at >= case.paused_since
            for p in resume_parties
        ),
        conclusion=investigation.conclusion if investigation else None,
        loop_closed=bool(investigation and investigation.loop_met_on),
        committee=current(OfficerRole.COMMITTEE),
        hearing_decided=case.hearing_decided_on is not None,
    )


# --- deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineItem:
    """An open deadline as a card or a list shows it: reference and kind, never a detail."""

    deadline: Deadline
    case: Case
    state: DeadlineState

    @property
    def kind(self) -> str:
        return self.deadline.kind

    @property
    def due_on(self) -> date:
        return self.deadline.due_on


def deadline_state(deadline: Deadline, case: Case, now: datetime) -> DeadlineState:
    centre = get_centre(case.centre)
    timezone = centre.timezone if centre else "UTC"
    return deadline_rules.state_at(deadline.due_on, now, timezone)


def responsible_clause(actor):
    """SQL: the open deadlines ``actor`` is responsible for, by kind.

    - a report's first acknowledgement: the centre's Student Services;
    - the Centre Director's acknowledgement: the centre's Centre Directors;
    - a measure review: the case's caseworkers and case review members;
    - a review request's acknowledgement and response: its Reviewing Officers;
    - the Completion of Procedures letter: the Safeguarding Director;
    - notifying the visa authority of a recommended permanent exclusion: the Centre Director.
    The Safeguarding Director answers for every kind.
    """
    uid = actor.id
    held = {(Role(r), c) for r, c in actor.role_scopes()}
    if any(r is Role.SAFEGUARDING_DIRECTOR for r, _c in held):
        return sa.true()
    kind = Deadline.kind
    parts = []
    ss = sorted(c for r, c in held if r is Role.STUDENT_SERVICES and c)
    if ss:
        parts.append(sa.and_(kind == DeadlineKind.REPORT_ACKNOWLEDGEMENT, Case.centre.in_(ss)))
    cd = sorted(c for r, c in held if r is Role.CENTRE_DIRECTOR and c)
    if cd:
        # The Centre Director decides the outcome's next steps (13.17), the visa notice too.
        parts.append(sa.and_(kind.in_([DeadlineKind.COMPLAINT_ACKNOWLEDGEMENT,
                                       DeadlineKind.VISA_NOTIFICATION]), Case.centre.in_(cd)))
    parts.append(sa.and_(kind == DeadlineKind.MEASURE_REVIEW, sa.or_(
        sa.exists().where(CaseworkerAssignment.case_id == Deadline.case_id,
                          CaseworkerAssignment.user_id == uid,
                          CaseworkerAssignment.ended_at.is_(None)),
        sa.exists().where(CaseReviewMember.case_id == Deadline.case_id,
                          CaseReviewMember.user_id == uid),
    )))
    parts.append(sa.and_(
        kind.in_([DeadlineKind.REVIEW_ACKNOWLEDGEMENT, DeadlineKind.REVIEW_RESPONSE]),
        sa.exists().where(OfficerAppointment.case_id == Deadline.case_id,
                          OfficerAppointment.user_id == uid,
                          OfficerAppointment.role == OfficerRole.REVIEWING,
                          OfficerAppointment.ended_at.is_(None)),
    ))
    return sa.or_(*parts)


def my_deadlines(actor, now: datetime, *, limit: int = 200) -> list[DeadlineItem]:
    """"My deadlines": the open deadlines on the actor's cases that they answer for, soonest
    first. One query, whatever the number of cases."""
    rows = db.session.execute(
        sa.select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.status == DeadlineStatus.OPEN, CaseScope.of(actor).clause(),
               responsible_clause(actor))
        .order_by(Deadline.due_on, Deadline.id)
        .limit(limit)
    ).all()
    return [DeadlineItem(d, c, deadline_state(d, c, now)) for d, c in rows]


def open_deadlines(case: Case, now: datetime) -> list[DeadlineItem]:
    """Every open deadline of one case, soonest first, with how it stands."""
    rows = db.session.scalars(
        sa.select(Deadline).where(Deadline.case_id == case.id,
                                  Deadline.status == DeadlineStatus.OPEN)
        .order_by(Deadline.due_on, Deadline.id)
    )
    return [DeadlineItem(d, case, deadline_state(d, case, now)) for d in rows]


def next_deadlines(case_ids: list[int]) -> dict[int, Deadline]:
    """The soonest open deadline of each case (for a board's cards), in one query."""
    if not case_ids:
        return {}
    found: dict[int, Deadline] = {}
    for deadline in db.session.scalars(
        sa.select(Deadline).where(Deadline.case_id.in_(case_ids),
                                  Deadline.status == DeadlineStatus.OPEN)
        .order_by(Deadline.case_id, Deadline.due_on, Deadline.id)
    ):
        found.setdefault(deadline.case_id, deadline)
    return found


def interim_measures_awaiting_ratification(actor) -> list[Measure]:
    """Every interim measure still waiting for the case review to ratify, vary or lift it, on
    the cases the actor sees (the board shows them)."""
    return list(db.session.scalars(
        sa.select(Measure).join(Case, Case.id == Measure.case_id).where(
            Measure.interim.is_(True), Measure.ratified_at.is_(None),
            Measure.status == MeasureStatus.ACTIVE, CaseScope.of(actor).clause(),
        ).order_by(Measure.starts_on, Measure.id)
    ))


# --- a board: the stages as columns -----------------------------------------------------------

COLUMN_PAGE_SIZE = 20


@dataclass
class Card:
    """What a board card shows: never a narrative, never a party's name."""

    case: Case
    next_deadline: Deadline | None
    deadline_state: DeadlineState | None
    days_in_stage: int
    #: The staff assigned: ("caseworker" | "investigating" | "reviewing", user), never a party.
    assigned: list[tuple[str, User]] = field(default_factory=list)
    moves: list = field(default_factory=list)


@dataclass(frozen=True)
class BoardFilters:
    """The board's filters, as they live in the URL."""

    centre: str = ""
    flag: str = ""
    mine: bool = False
    overdue: bool = False


def _filtered(actor, filters: BoardFilters, today: date):
    query = sa.select(Case).where(CaseScope.of(actor).clause())
    if filters.centre:
        query = query.where(Case.centre == filters.centre)
    if filters.flag in {"immediate_danger", "under_18", "staff_respondent", "anonymous",
                        "third_party", "police_hold", "paused"}:
        query = query.where(getattr(Case, filters.flag).is_(True))
    if filters.mine:
        uid = actor.id
        query = query.where(sa.or_(
            sa.exists().where(CaseworkerAssignment.case_id == Case.id,
                              CaseworkerAssignment.user_id == uid,
                              CaseworkerAssignment.ended_at.is_(None)),
            sa.exists().where(CaseReviewMember.case_id == Case.id,
                              CaseReviewMember.user_id == uid),
            sa.exists().where(OfficerAppointment.case_id == Case.id,
                              OfficerAppointment.user_id == uid,
                              OfficerAppointment.ended_at.is_(None)),
        ))
    if filters.overdue:
        query = query.where(sa.exists().where(
            Deadline.case_id == Case.id, Deadline.status == DeadlineStatus.OPEN,
            Deadline.due_on < today))
    return query


#: Past this many cases a column says "more than 1,000": a count never reads more rows.
COUNT_BOUND = 1000
_STAMP = "case_board:"


def board_changed(centre: str) -> None:
    """Note a change to a case at ``centre``, in the caller's transaction (one upsert of its
    row in ``page_version``): every board that shows that centre's cases polls anew. Every
    write to a case calls this (``operations._touch``, the moves, the letters, retention)."""
    pagecache.changed(_STAMP + centre)


def _stamped_centres(actor) -> list[str]:
    """The centres whose changes can alter the actor's board: their own centres when the
    scope is only centres, and every centre when it reaches further (a case review team, an
    appointment, staff-respondent cases anywhere)."""
    scope = CaseScope.of(actor)
    only_centres = not (scope.staff_respondent or scope.staff_respondent is None
                        or scope.review_member or scope.investigating or scope.reviewing)
    if only_centres and scope.centres is not None:
        return sorted(scope.centres)
    return sorted(c.slug for c in all_centres())


def _stamps(names: list[str], committed: bool) -> dict[str, int]:
    """The centres' change stamps. ``committed``: what is committed, read on the process's
    own connection (``pagecache.versions``: no query through the session), for a page that
    only reads; otherwise through the session's own transaction, so that a board drawn
    after a move in the same transaction sees that move."""
    if committed:
        return pagecache.versions(names)
    return dict(db.session.execute(
        sa.select(pagecache.PageVersion.name, pagecache.PageVersion.version)
        .where(pagecache.PageVersion.name.in_(names))).all())


def board_version(actor, filters: BoardFilters = BoardFilters(), today: date | None = None,
                  *, committed: bool = False) -> str:
    """A token that changes whenever a case on the actor's board may have changed: the change
    stamps of the centres it shows (one primary-key read, however many cases), the actor's
    roles, the filters and the day (deadlines fall due overnight)."""
    today = today or date.today()
    names = [_STAMP + c for c in _stamped_centres(actor)]
    stamps = sorted(_stamps(names, committed).items()) if names else []
    seen = repr((stamps, getattr(actor, "id", None), sorted(map(str, actor.role_scopes())),
                 filters, today.isoformat()))
    return hashlib.blake2b(seen.encode(), digest_size=12).hexdigest()


def column_counts(actor, filters: BoardFilters = BoardFilters(),
                  today: date | None = None) -> dict[str, int]:
    """How many cases each stage holds on the actor's board, counted up to ``COUNT_BOUND``
    + 1 (one query: a LIMITed count per stage, read from the board index, so a column of
    45,000 closed cases costs what one of 1,001 costs)."""
    today = today or date.today()
    parts = []
    base = _filtered(actor, filters, today).with_only_columns(Case.id)
    for stage in Stage:
        page = base.where(Case.stage == str(stage)).limit(COUNT_BOUND + 1).subquery()
        parts.append(sa.select(sa.literal(str(stage)).label("stage"),
                               sa.select(sa.func.count()).select_from(page).scalar_subquery()))
    counts = dict(db.session.execute(sa.union_all(*parts)).all())
    return {str(s): counts.get(str(s), 0) for s in Stage}


def column_page(actor, stage: str, now: datetime, filters: BoardFilters = BoardFilters(), *,
                after: tuple[datetime, int] | None = None,
                limit: int = COLUMN_PAGE_SIZE) -> tuple[list[Card], tuple[datetime, int] | None]:
    """One page of a column's cards, oldest change first; ``after`` is the previous page's
    cursor (its last card's ``(stage_changed_at, id)``). Returns the cards and the next cursor
    (None on the last page). A fixed number of queries per page."""
    query = _filtered(actor, filters, now.date()).where(Case.stage == str(stage))
    if after is not None:
        query = query.where(sa.tuple_(Case.stage_changed_at, Case.id) > sa.tuple_(*after))
    cases = list(db.session.scalars(
        query.order_by(Case.stage_changed_at, Case.id).limit(limit + 1)))
    more = len(cases) > limit
    cases = cases[:limit]
    cards = cards_for(cases, now)
    cursor = (cases[-1].stage_changed_at, cases[-1].id) if more and cases else None
    return cards, cursor


def board_pages(actor, now: datetime, filters: BoardFilters = BoardFilters(), *,
                stages: Iterable[str] = tuple(Stage), after: tuple[str, tuple] | None = None,
                limit: int = COLUMN_PAGE_SIZE,
                ) -> dict[str, tuple[list[Card], tuple[datetime, int] | None]]:
    """The first page of every column, as ``column_page`` gives one, in a fixed number of
    queries however many columns hold cards (``board_cases``, then ``cards_for`` once for
    them all). ``after`` is ``(stage, cursor)`` for a column shown from a later page."""
    pages = board_cases(actor, now, filters, stages=stages, after=after, limit=limit)
    cards = iter(cards_for([c for shown, _cursor in pages.values() for c in shown], now))
    return {stage: ([next(cards) for _c in shown], cursor)
            for stage, (shown, cursor) in pages.items()}


#: What the card cache's key reads of a case (``board_cases(columns=CARD_KEY)``).
CARD_KEY = (Case.id, Case.reference, Case.version, Case.stage, Case.centre,
            Case.staff_respondent, Case.stage_changed_at)


def board_cases(actor, now: datetime, filters: BoardFilters = BoardFilters(), *,
                stages: Iterable[str] = tuple(Stage), after: tuple[str, tuple] | None = None,
                limit: int = COLUMN_PAGE_SIZE, columns: tuple | None = None,
                ) -> dict[str, tuple[list, tuple[datetime, int] | None]]:
    """The cases of ``board_pages`` without their cards, in two queries: one UNION ALL of
    each stage's page (each read from the board index), and one to load those cases (only
    ``columns`` of them, as plain rows, when given)."""
    parts = []
    base = _filtered(actor, filters, now.date()).with_only_columns(Case.id)
    for stage in stages:
        query = base.where(Case.stage == str(stage))
        if after is not None and after[0] == str(stage):
            query = query.where(sa.tuple_(Case.stage_changed_at, Case.id) > sa.tuple_(*after[1]))
        page = query.order_by(Case.stage_changed_at, Case.id).limit(limit + 1).subquery()
        parts.append(sa.select(page.c.id))
    ids = list(db.session.scalars(sa.union_all(*parts))) if parts else []
    by_stage: dict[str, list] = {str(s): [] for s in stages}
    if ids:
        found = (db.session.scalars(sa.select(Case).where(Case.id.in_(ids))) if columns is None
                 else db.session.execute(sa.select(*columns).where(Case.id.in_(ids))).all())
        for case in found:
            by_stage[case.stage].append(case)
    pages: dict[str, tuple[list, tuple[datetime, int] | None]] = {}
    for stage, cases in by_stage.items():
        cases.sort(key=lambda c: (c.stage_changed_at, c.id))
        shown = cases[:limit]
        more = len(cases) > limit
        pages[stage] = (shown, (shown[-1].stage_changed_at, shown[-1].id) if more else None)
    return pages


def cases_by_id(ids: list[int]) -> list[Case]:
    """The cases with these ids, in that order (one query; ids already in scope). What a
    card never shows (the disclosure, encrypted) is not read, so not decrypted."""
    found = {c.id: c for c in db.session.scalars(
        sa.select(Case).where(Case.id.in_(ids)).options(defer(Case.disclosure)))}
    return [found[i] for i in ids if i in found]


def cards_for(cases: list[Case], now: datetime) -> list[Card]:
    """The board cards of ``cases`` (their next deadline and assigned staff in two queries)."""
    upcoming = next_deadlines([c.id for c in cases])
    people = assigned_staff([c.id for c in cases])
    cards = []
    for case in cases:
        deadline = upcoming.get(case.id)
        cards.append(Card(
            case=case,
            next_deadline=deadline,
            deadline_state=deadline_state(deadline, case, now) if deadline else None,
            days_in_stage=max(0, (now - case.stage_changed_at).days),
            assigned=people.get(case.id, []),
        ))
    return cards


def assigned_staff(case_ids: list[int]) -> dict[int, list[tuple[str, User]]]:
    """The current caseworkers and officers of each case, in two queries."""
    found: dict[int, list[tuple[str, User]]] = defaultdict(list)
    if not case_ids:
        return found
    for case_id, user in db.session.execute(
        sa.select(CaseworkerAssignment.case_id, User)
        .join(User, User.id == CaseworkerAssignment.user_id)
        .where(CaseworkerAssignment.case_id.in_(case_ids),
               CaseworkerAssignment.ended_at.is_(None))
        .options(lazyload(User.roles))
        .order_by(CaseworkerAssignment.case_id, CaseworkerAssignment.id)
    ):
        found[case_id].append(("caseworker", user))
    for case_id, role, user in db.session.execute(
        sa.select(OfficerAppointment.case_id, OfficerAppointment.role, User)
        .join(User, User.id == OfficerAppointment.user_id)
        .where(OfficerAppointment.case_id.in_(case_ids), OfficerAppointment.ended_at.is_(None))
        .options(lazyload(User.roles))
        .order_by(OfficerAppointment.case_id, OfficerAppointment.id)
    ):
        found[case_id].append((str(role), user))
    return found


def with_moves(actor, cards: list[Card], access: dict[int, Access] | None = None) -> list[Card]:
    """Fill each card's moves (allowed, or blocked with their reasons) for ``actor``.

    A fixed number of queries for the whole page, however many cards it holds (``access``:
    already loaded by ``access_of_many``)."""
    cases = [c.case for c in cards]
    facts = facts_for_many(cases)
    access = access if access is not None else access_of_many(cases)
    for card in cards:
        granted = granted_for(actor, card.case, access[card.case.id])
        card.moves = workflow.available_moves(facts[card.case.id], granted)
    return cards


# --- the case page --------------------------------------------------------------------------


def references_of(case_ids: Iterable[int]) -> dict[int, str]:
    """The references of these cases, by id (one query; none for no ids)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(Case.id, Case.reference).where(Case.id.in_(ids))).all())


def section_contents(case: Case, sections: frozenset[Section]) -> dict:
    """What each visible section of the case page shows (only the sections given)."""
    S = Section
    found: dict = {}
    if S.PARTIES in sections:
        found["parties"] = list(case.parties)
        found["caseworkers"] = {a.party_id: a.user for a in db.session.scalars(
            sa.select(CaseworkerAssignment).where(CaseworkerAssignment.case_id == case.id,
                                                  CaseworkerAssignment.ended_at.is_(None)))}
    if S.SUPPORT_PLAN in sections:
        found["support"] = list(db.session.scalars(
            sa.select(SupportItem).where(SupportItem.case_id == case.id)
            .order_by(SupportItem.created_at, SupportItem.id)))
    if S.RISK_ASSESSMENT in sections:
        found["risk"] = db.session.scalars(
            sa.select(RiskAssessment).where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())).first()
    if S.MEASURES in sections:
        found["measures"] = list(db.session.scalars(
            sa.select(Measure).where(Measure.case_id == case.id)
            .order_by(Measure.starts_on, Measure.id)))
    if S.CASE_REVIEW in sections:
        found["members"] = list(db.session.scalars(
            sa.select(CaseReviewMember).where(CaseReviewMember.case_id == case.id)
            .order_by(CaseReviewMember.id)))
    if S.INVESTIGATION in sections:
        found["officers"] = list(db.session.scalars(
            sa.select(OfficerAppointment).where(OfficerAppointment.case_id == case.id,
                                                OfficerAppointment.ended_at.is_(None))
            .order_by(OfficerAppointment.id)))
        found["requests"] = list(db.session.scalars(
            sa.select(ReviewRequest).where(ReviewRequest.case_id == case.id)
            .order_by(ReviewRequest.received_on, ReviewRequest.id)))
        found["review_decisions"] = review_decisions(found["requests"])
        found.update(investigation_contents(case))
    if S.HEARING in sections:
        found.update(hearing_contents(case))
    return found


def review_decisions(requests: list[ReviewRequest]) -> dict[int, ReviewDecision]:
    """The decision on each decided review request, by request id (two queries: the
    decisions, and the penalties a review varied)."""
    ids = [r.id for r in requests]
    if not ids:
        return {}
    return {d.review_request_id: d for d in db.session.scalars(
        sa.select(ReviewDecision).where(ReviewDecision.review_request_id.in_(ids))
        .options(selectinload(ReviewDecision.sanctions)))}


#: The stages at which a case has a hearing or an outcome to show (no query before them).
AFTER_INVESTIGATION = frozenset({Stage.HEARING, Stage.OUTCOME, Stage.REVIEW, Stage.CLOSED})


def hearing_contents(case: Case) -> dict:
    """The hearing (14) and the outcome (15): the committee, the attendance, whether an
    impact statement was received (never its words or file: ``impact_statement_text``), the
    decision, the outcome and its sanctions. Nothing is read before the hearing stage."""
    if case.stage not in AFTER_INVESTIGATION:
        return {}
    outcome = db.session.scalars(
        sa.select(Outcome).where(Outcome.case_id == case.id)
        .order_by(Outcome.recorded_at.desc(), Outcome.id.desc()).options(
            selectinload(Outcome.sanctions))).first()
    statements = list(db.session.scalars(
        sa.select(ImpactStatement).where(ImpactStatement.case_id == case.id)
        .order_by(ImpactStatement.received_on, ImpactStatement.id)))
    unsealed = case.hearing_decided_on is not None
    return {
        "hearing": db.session.scalar(sa.select(Hearing).where(Hearing.case_id == case.id)),
        "committee": list(db.session.scalars(
            sa.select(OfficerAppointment).where(
                OfficerAppointment.case_id == case.id,
                OfficerAppointment.role == OfficerRole.COMMITTEE,
                OfficerAppointment.ended_at.is_(None)).order_by(OfficerAppointment.id))),
        "impact_statements": statements,
        "impact_unsealed": unsealed,
        # The words, only once unsealed (one query for them all).
        "impact_texts": impact_statement_texts(case) if unsealed else {},
        "outcome": outcome,
    }


class ImpactStatementSealed(LookupError):
    """The impact statement is sealed until the decision on the merits (14.4)."""


def _unsealed(case: Case, statement: ImpactStatement) -> None:
    if statement.case_id != case.id or case.hearing_decided_on is None:
        raise ImpactStatementSealed("sealed until the decision on the merits")


def impact_statement_text(case: Case, statement: ImpactStatement) -> str | None:
    """The written statement's words, only once the decision on the merits is recorded:
    before that, ``ImpactStatementSealed`` (the one way its words are read)."""
    _unsealed(case, statement)
    return db.session.scalar(sa.select(ImpactStatement.text)
                             .where(ImpactStatement.id == statement.id))


def impact_statement_texts(case: Case) -> dict[int, str | None]:
    """Every written statement's words of the case by id, only once unsealed."""
    if case.hearing_decided_on is None:
        raise ImpactStatementSealed("sealed until the decision on the merits")
    return dict(db.session.execute(sa.select(ImpactStatement.id, ImpactStatement.text)
                                   .where(ImpactStatement.case_id == case.id)).all())


def load_impact_statement_for(actor, case_id: int, statement_id: int
                              ) -> tuple[Case, ImpactStatement]:
    """An impact statement of a case in scope, for someone who reads the hearing; 404
    otherwise, and 404 while it is sealed (audited, as every refusal)."""
    case = load_case_for(actor, case_id)
    if not 0 < statement_id <= MAX_ID or Section.HEARING not in sections_for(actor, case):
        deny("impact_statement_out_of_scope", status=404)
    statement = db.session.get(ImpactStatement, statement_id)
    if statement is None or statement.case_id != case.id or case.hearing_decided_on is None:
        deny("impact_statement_out_of_scope", status=404)
    return case, statement


def impact_statement_bytes(case: Case, statement: ImpactStatement) -> bytes:
    """The uploaded file exactly, once unsealed, checked against its SHA-256 (like evidence)."""
    _unsealed(case, statement)
    data = db.session.scalar(sa.select(ImpactStatement.original)
                             .where(ImpactStatement.id == statement.id))
    if data is None:
        raise LookupError("no file")
    if hashlib.sha256(data).hexdigest() != statement.sha256:
        raise EvidenceIntegrityError("the impact statement does not match its SHA-256")
    return data


def investigation_contents(case: Case) -> dict:
    """The investigation's records (13), in a fixed number of queries however many there are.

    Meetings and counter-allegations name their party by the label the case page's forms use
    (``party_label``), from the case's parties loaded once."""
    def rows(model, *order):
        return list(db.session.scalars(sa.select(model).where(model.case_id == case.id)
                                       .order_by(*order, model.id)))

    numbered = {p.id: party_label(p, n) for n, p in enumerate(case.parties, start=1)}
    return {
        "investigation": db.session.scalar(
            sa.select(Investigation).where(Investigation.case_id == case.id)),
        "scopes": rows(InvestigationScope, InvestigationScope.recorded_at.desc()),
        "meetings": rows(InvestigationMeeting, InvestigationMeeting.held_on),
        "liaisons": rows(PoliceLiaison, PoliceLiaison.consulted_on),
        "counters": rows(CounterAllegation, CounterAllegation.received_on),
        # The files themselves are deferred columns: never loaded here.
        "evidence": rows(EvidenceItem, EvidenceItem.appendix),
        "party_labels": numbered,
    }


class EvidenceIntegrityError(TamperedCiphertext):
    """A stored evidence file no longer matches its SHA-256: it is never served."""


def load_evidence_for(actor, case_id: int, evidence_id: int) -> tuple[Case, EvidenceItem]:
    """An evidence item of a case in scope, for someone who reads the investigation; 404
    otherwise (and audited, as every refusal)."""
    case = load_case_for(actor, case_id)
    if not 0 < evidence_id <= MAX_ID or Section.INVESTIGATION not in sections_for(actor, case):
        deny("evidence_out_of_scope", status=404)
    item = db.session.get(EvidenceItem, evidence_id)
    if item is None or item.case_id != case.id:
        deny("evidence_out_of_scope", status=404)
    return case, item


def evidence_bytes(item: EvidenceItem, *, copy: bool = False) -> bytes:
    """The original bytes exactly (or the shared copy). A tampered ciphertext raises
    ``TamperedCiphertext``; an original that does not match its SHA-256 raises
    ``EvidenceIntegrityError``: never garbage."""
    column = EvidenceItem.shared_copy if copy else EvidenceItem.original
    data = db.session.scalar(sa.select(column).where(EvidenceItem.id == item.id))
    if data is None:
        raise LookupError("no such copy")
    if not copy and hashlib.sha256(data).hexdigest() != item.sha256:
        raise EvidenceIntegrityError("the evidence does not match its SHA-256")
    return data


def meeting_label(meeting: InvestigationMeeting, labels: dict[int, str]) -> str:
    return _("Meeting with %(who)s on %(date)s", who=labels.get(meeting.party_id, ""),
             date=format_date(meeting.held_on))


def police_advice_since_hold(case: Case) -> bool | None:
    """The police's latest advice on contacting the responding party since the case was put
    on police hold (13.11): None when they have not been consulted since."""
    if case.police_hold_since is None:
        return None
    return db.session.scalar(
        sa.select(PoliceLiaison.may_contact_responding)
        .where(PoliceLiaison.case_id == case.id,
               PoliceLiaison.recorded_at >= case.police_hold_since)
        .order_by(PoliceLiaison.recorded_at.desc(), PoliceLiaison.id.desc()).limit(1))


def roles_met(case: Case) -> set[str]:
    """The party roles the Investigating Officer has met so far (13.7)."""
    return set(db.session.scalars(
        sa.select(CaseParty.role).join(InvestigationMeeting,
                                       InvestigationMeeting.party_id == CaseParty.id)
        .where(InvestigationMeeting.case_id == case.id).distinct()))


def linked_reports(case: Case) -> list[str]:
    """The references of the reports on the case: the first one, then those linked later."""
    first = db.session.scalars(sa.select(Report.reference).where(Report.id == case.report_id))
    later = db.session.scalars(
        sa.select(Report.reference).join(CaseLinkedReport, CaseLinkedReport.report_id == Report.id)
        .where(CaseLinkedReport.case_id == case.id).order_by(CaseLinkedReport.linked_at))
    return [*first, *later]


def request_label(request: ReviewRequest) -> str:
    return _("Review request received on %(date)s", date=format_date(request.received_on))


def _holders(roles: Iterable[Role], centre: str | None = None) -> list[tuple[str, str]]:
    """Active staff holding one of ``roles`` (at ``centre``, or centrally), by name."""
    query = (sa.select(User.id, User.name).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(User.active.is_(True), RoleAssignment.role.in_([str(r) for r in roles])))
    if centre is not None:
        query = query.where(sa.or_(RoleAssignment.centre == centre,
                                   RoleAssignment.centre.is_(None)))
    rows = db.session.execute(query.distinct().order_by(User.name, User.id)).all()
    return [(str(uid), name) for uid, name in rows]


def party_label(party: CaseParty, number: int) -> str:
    """How a form names a party: its role, then the name when known (never a guess)."""
    role = PARTY_ROLE_LABELS[PartyRole(party.role)]
    who = party.name if party.identity_known and party.name else _("not known")
    return f"{role} {number}: {who}"


def form_options(case: Case, contents: dict, wanted: Iterable[str]) -> Options:
    """The choices the case page's forms offer (only the lists some offered form needs)."""
    wanted = set(wanted)
    options = Options()
    parties = contents.get("parties") or list(case.parties)
    numbered = [(p, n) for n, p in enumerate(parties, start=1)]
    options.parties = [(str(p.id), party_label(p, n)) for p, n in numbered
                       if p.role != PartyRole.WITNESS]
    options.students = [(str(p.id), party_label(p, n)) for p, n in numbered
                        if p.role == PartyRole.REPORTING or p.party_type == PartyType.STUDENT
                        and p.role == PartyRole.RESPONDING]
    options.interviewees = [(str(p.id), party_label(p, n)) for p, n in numbered
                            if p.role != PartyRole.REPORTING or p.identity_known]
    options.respondents = [(str(p.id), party_label(p, n)) for p, n in numbered
                           if p.role == PartyRole.RESPONDING]
    if "evidence" in wanted:
        options.evidence = [
            (str(e.id), _("Appendix %(number)d: %(title)s", number=e.appendix, title=e.title))
            for e in contents.get("evidence", ()) if not e.redacted]
    if "meetings" in wanted:
        labels = contents.get("party_labels") or {p.id: party_label(p, n) for p, n in numbered}
        options.meetings = [(str(m.id), meeting_label(m, labels))
                            for m in contents.get("meetings", ())]
    if "caseworkers" in wanted:
        options.caseworkers = _holders([Role.STUDENT_SERVICES], case.centre)
    if "members" in wanted:
        options.members = _holders([Role.CASE_REVIEW_MEMBER, Role.SAFEGUARDING_DIRECTOR,
                                    Role.PEOPLE_TEAM])
    if "officers" in wanted:
        options.officers = _holders([Role.INVESTIGATING_OFFICER, Role.REVIEWING_OFFICER])
    if "staff" in wanted:
        options.staff = [(str(uid), name) for uid, name in db.session.execute(
            sa.select(User.id, User.name).where(User.active.is_(True))
            .order_by(User.name, User.id)).all()]
    if "helplines" in wanted:
        centre = get_centre(case.centre)
        lines = centre.helplines if centre else ()
        options.helplines = [(h.id, h.name[get_locale()]) for h in lines]
    if "support_items" in wanted:
        options.support_items = [
            (str(i.id), f"{SUPPORT_KIND_LABELS[SupportKind(i.kind)]} "
                        f"({SUPPORT_STATUS_LABELS[SupportStatus(i.status)]})")
            for i in contents.get("support", ())]
    requests = contents.get("requests", ())
    options.unacknowledged = [(str(r.id), request_label(r)) for r in requests
                              if r.acknowledged_on is None]
    options.unanswered = [(str(r.id), request_label(r)) for r in requests
                          if r.responded_on is None]
    decided = contents.get("review_decisions", {})
    options.undecided = [(str(r.id), request_label(r)) for r in requests if r.id not in decided]
    # The decision's form names the decided requests too, so that deciding one again (a
    # stale page, a second click) is refused with its reason: the decision is final (16.11).
    options.decidable = options.undecided + [
        (str(r.id), _("%(request)s (decided: the decision is final)",
                      request=request_label(r))) for r in requests if r.id in decided]
    if "notes" in wanted:
        options.notes = [
            (str(e.id), f"{format_date(e.at)}: {(e.body or '')[:60]}")
            for e in db.session.scalars(sa.select(CaseEvent).where(
                CaseEvent.case_id == case.id, CaseEvent.kind == "note",
                CaseEvent.marking == Marking.INTERNAL).order_by(CaseEvent.at.desc()).limit(100))]
    if "reports" in wanted:
        options.reports = [
            (str(rid), _("%(reference)s, received %(date)s", reference=ref,
                         date=format_date(received)))
            for rid, ref, received in db.session.execute(
                sa.select(Report.id, Report.reference, Report.received_at)
                .where(Report.centre == case.centre,
                       ~sa.exists().where(Case.report_id == Report.id),
                       ~sa.exists().where(CaseLinkedReport.report_id == Report.id))
                .order_by(Report.received_at.desc(), Report.id.desc()).limit(100))]
    if "measures" in wanted:
        options.measures = [
            (str(m.id), f"{MEASURE_KIND_LABELS[MeasureKind(m.kind)]} "
                        f"({_('from %(date)s', date=format_date(m.starts_on))})")
            for m in contents.get("measures", ()) if m.status == MeasureStatus.ACTIVE]
    return options
