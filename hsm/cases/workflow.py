"""The procedure as a table of moves, on the shared workflow core (``hsm.workflow``).

Plain Python: it reads no request and no database. ``Facts`` is what the rules need to know
about one case (``queries.facts_for`` builds it); each guard returns the *reasons* a move is
blocked, in words, so a board shows them beside a disabled action. Besides the stage moves,
the rules that are not moves live here too, each answering reasons in the same way:
caseworkers (2.16, 12.4), precautionary measures (10.2, 12), officers' involvement (13.1,
16.6), the police hold (7.2) and the interruption of studies (15.7).

Who may make a move is the permission of its transition; ``queries.granted_for`` says which
permissions an actor holds *on one case* (an Investigating Officer only on the cases they are
appointed to, and nobody on a case they are conflicted on).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from hsm import workflow
from hsm.cases.terms import (
    STAGE_LABELS,
    STAGES,
    SUSPENSIONS,
    ClosureReason,
    Conclusion,
    MeasureKind,
    PartyRole,
    Stage,
)
from hsm.i18n import _l
from hsm.security import Permission

P = Permission
Reason = workflow.Reason


# --- the reasons, in words ------------------------------------------------------------------


def _r(code: str, text) -> Reason:
    return Reason(code, text)


NO_REPORTING_CASEWORKER = _r(
    "no_reporting_caseworker", _l("The reporting party has no caseworker yet.")
)
NO_RESPONDING_PARTY = _r("no_responding_party", _l("No responding party is recorded."))
REPORTING_PARTY_UNKNOWN = _r(
    "reporting_party_unknown",
    _l("The reporting party is not known, so their agreement cannot be recorded."),
)
INFORMAL_NOT_AGREED = _r(
    "informal_not_agreed",
    _l("Both parties' agreement to informal resolution is not recorded (9.1)."),
)
INFORMAL_DECLINED = _r(
    "informal_declined", _l("A party has declined informal resolution (9.1).")
)
NOT_ELIGIBLE_FOR_FORMAL = _r(
    "not_eligible_for_formal",
    _l("Neither a party declining nor a breach of the No Contact Agreement is recorded (9.4)."),
)
NO_WISH_TO_COMPLAIN = _r(
    "no_wish_to_complain",
    _l("The reporting party's wish to make a formal complaint is not recorded (10.1)."),
)
NOT_ACKNOWLEDGED = _r(
    "director_not_acknowledged",
    _l("The Centre Director has not acknowledged the formal complaint (10.1)."),
)
CENTRAL_NOT_NOTIFIED = _r(
    "central_director_not_notified",
    _l("The Director of Student Experience and Safeguarding has not been notified (10.1)."),
)
NO_RISK_ASSESSMENT = _r(
    "no_risk_assessment", _l("No precautionary risk assessment is recorded (10.2).")
)
TOO_FEW_MEMBERS = _r(
    "too_few_members",
    _l("The case review needs at least 3 members from the roles of 11.1 (co-opted members "
       "do not count)."),
)
NO_PEOPLE_TEAM_MEMBER = _r(
    "no_people_team_member",
    _l("A responding party is a member of staff: the case review needs a People Team member."),
)
NOT_CONVENED = _r("case_review_not_convened", _l("The case review has not been convened."))
NO_DECISIONS = _r("no_decisions", _l("The case review's decisions are not recorded (12.8)."))
NO_RECOMMENDATION = _r(
    "investigation_not_recommended",
    _l("The case review has not recommended an investigation (13.1)."),
)
NO_INVESTIGATING_OFFICER = _r(
    "no_investigating_officer", _l("No Investigating Officer is appointed.")
)
INVESTIGATING_OFFICER_INVOLVED = _r(
    "investigating_officer_involved",
    _l("The Investigating Officer has been involved in the case and cannot investigate it."),
)
NO_REVIEW_REQUEST = _r("no_review_request", _l("No review request is recorded."))
NO_REVIEWING_OFFICER = _r("no_reviewing_officer", _l("No Reviewing Officer is appointed."))
REVIEWING_OFFICER_INVOLVED = _r(
    "reviewing_officer_involved",
    _l("The Reviewing Officer has been involved in the case and cannot review it (16.6)."),
)
ON_POLICE_HOLD = _r(
    "police_hold", _l("The case is on police hold: the investigation waits (7.2).")
)
PAUSED = _r(
    "paused", _l("The case is paused for an interruption of studies (15.7).")
)
NO_RESUME_CONSENT = _r(
    "no_resume_consent",
    _l("Both parties' consent to resume is not recorded (15.7)."),
)
NOT_PAUSED = _r("not_paused", _l("The case is not paused."))
ALREADY_PAUSED = _r("already_paused", _l("The case is already paused."))
NOT_ON_HOLD = _r("not_on_police_hold", _l("The case is not on police hold."))
ALREADY_ON_HOLD = _r("already_on_police_hold", _l("The case is already on police hold."))
CASE_CLOSED = _r("case_closed", _l("The case is closed."))
CLOSURE_REASON_UNKNOWN = _r(
    "closure_reason_unknown", _l("Choose a closure reason from the list.")
)
SAME_CASEWORKER = _r(
    "same_caseworker",
    _l("The reporting party and a responding student must have different caseworkers "
       "(2.16, 12.4)."),
)
CASEWORKER_NOT_AT_CENTRE = _r(
    "caseworker_not_at_centre",
    _l("A caseworker must be a member of the centre's Student Services team."),
)
CASEWORKER_CONFLICTED = _r(
    "caseworker_conflicted",
    _l("This person has a conflict of interest in the case."),
)
MEASURE_NEEDS_CASE_REVIEW = _r(
    "measure_needs_case_review",
    _l("Only an interim measure can be set before a case review of at least 3 members has "
       "met (10.2, 12)."),
)
INTERIM_NEEDS_URGENT = _r(
    "interim_needs_urgent",
    _l("An interim measure is for an urgent case that cannot wait for the case review."),
)
SUSPENSION_NEEDS_OWN_CASEWORKER = _r(
    "suspension_needs_own_caseworker",
    _l("A suspension needs the responding party to have their own caseworker, different from "
       "the reporting party's (12.4)."),
)
STAFF_MEASURE_FOR_STAFF = _r(
    "staff_measure_for_staff",
    _l("A staff measure applies to a responding party who is a member of staff (12.5)."),
)
STUDENT_MEASURE_FOR_STAFF = _r(
    "student_measure_for_staff",
    _l("A member of staff gets a staff measure, decided with the People Team (12.5)."),
)
OFFICER_LACKS_ROLE = _r(
    "officer_lacks_role", _l("This person does not hold the officer's role.")
)
NO_CONCLUSION = _r(
    "no_conclusion", _l("The investigation's conclusion is not recorded (13.16).")
)
LOOP_NOT_CLOSED = _r(
    "loop_not_closed",
    _l("The case review has not met again since the investigation was concluded, to close "
       "the loop and agree the next steps (13.19)."),
)
NO_BREACH_FOUND = _r(
    "no_breach_found",
    _l("The investigation found no breach, so there is no disciplinary hearing (13.16)."),
)
ALREADY_CONCLUDED = _r(
    "already_concluded", _l("The investigation's conclusion is already recorded.")
)
LOOP_ALREADY_CLOSED = _r(
    "loop_already_closed",
    _l("The case review's meeting after the investigation is already recorded."),
)
NOT_INVESTIGATING = _r(
    "not_in_investigation", _l("The case is not in the investigation stage.")
)
WELFARE_CHECK_MISSING = _r(
    "welfare_check_missing",
    _l("A welfare check is part of every meeting: record it, and the support services "
       "signposted (13.5)."),
)
ORDER_NOT_KEPT = _r(
    "meeting_order_not_kept",
    _l("The policy's order is the reporting party first, then the responding party, then "
       "witnesses (13.7). It is not kept here: write why."),
)
POLICE_NOT_CONSULTED = _r(
    "police_not_consulted",
    _l("The case is on police hold: record the consultation with the police before the "
       "responding party is contacted (13.11)."),
)
POLICE_ADVISE_WAITING = _r(
    "police_advise_waiting",
    _l("The police's latest advice is not to contact the responding party yet (13.11)."),
)
NOT_A_RESPONDING_PARTY = _r(
    "not_a_responding_party",
    _l("A counter-allegation is made by a responding party (13.12)."),
)
HEARING_NOT_DECIDED = _r(
    "hearing_not_decided",
    _l("The hearing's decision on the merits is not recorded (14.4)."),
)
NOT_AT_HEARING = _r("not_at_hearing", _l("The case is not at the hearing stage."))
HEARING_ALREADY_DECIDED = _r(
    "hearing_already_decided", _l("The hearing's decision on the merits is already recorded."))
ALREADY_ON_COMMITTEE = _r(
    "already_on_committee", _l("This person is already on the hearing committee."))
NOT_AT_OUTCOME = _r("not_at_outcome", _l("The case is not at the outcome stage."))
RESTORATIVE_NOT_REQUESTED = _r(
    "restorative_not_requested",
    _l("Restorative justice is only for when the reporting party asks for it (15.4): record "
       "the date of their request first."),
)
INVOLVEMENT_LABELS = {
    "party": _l("They are a party to the case."),
    "witness": _l("They are a witness in the case."),
    "caseworker": _l("They are a caseworker on the case."),
    "case_review_member": _l("They are a member of the case review team."),
    "investigating_officer": _l("They are the case's Investigating Officer."),
    "reviewing_officer": _l("They were the case's Reviewing Officer."),
    "committee_officer": _l("They sit on the case's hearing committee."),
    "conflicted": _l("They have a conflict of interest in the case."),
}


# --- what the rules know about a case -------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Everything the moves and rules need to know about one case (built by the queries)."""

    stage: str = Stage.RECEIVED
    police_hold: bool = False
    paused: bool = False
    urgent: bool = False
    staff_respondent: bool = False
    reporting_party_known: bool = True
    reporting_caseworker: int | None = None  # user id
    # Responding students and their caseworkers' user ids (None: no caseworker yet).
    responding_student_caseworkers: tuple[int | None, ...] = ()
    responding_parties: int = 0
    # Informal resolution (9).
    reporting_agreement: str | None = None
    responding_agreements: tuple[str | None, ...] = ()
    nca_signed_by_all: bool = False
    informal_breach: bool = False
    # Formal complaint (10).
    wish_to_complain: bool = False
    director_acknowledged: bool = False
    central_director_notified: bool = False
    risk_assessment: bool = False
    # Case review (11, 12).
    counted_members: int = 0
    people_team_member: bool = False
    convened: bool = False
    decisions_recorded: bool = False
    investigation_recommended: bool = False
    # Officers (13.1, 16.6): the appointed officers' user ids, and everyone involved otherwise.
    investigating_officers: tuple[int, ...] = ()
    reviewing_officers: tuple[int, ...] = ()
    involvement: dict[int, frozenset[str]] = field(default_factory=dict, compare=False)
    review_requested: bool = False
    # Interruption of studies (15.7).
    resume_consent_all: bool = False
    # The investigation's conclusion (13.16) and the case review's meeting after it (13.19).
    conclusion: str | None = None
    loop_closed: bool = False
    # The hearing (14): its committee members' user ids, and whether the decision on the
    # merits is recorded.
    committee: tuple[int, ...] = ()
    hearing_decided: bool = False

    @property
    def informal_agreed_by_both(self) -> bool:
        return (
            self.reporting_agreement == "agreed"
            and bool(self.responding_agreements)
            and all(a == "agreed" for a in self.responding_agreements)
        )

    @property
    def informal_declined(self) -> bool:
        return "declined" in (self.reporting_agreement, *self.responding_agreements)

    @property
    def eligible_for_formal(self) -> bool:
        """9.4: either party declining, or a breach, makes a referral possible ("may")."""
        return self.informal_declined or self.informal_breach

    def involved_as(self, user_id: int, *, ignore: Collection[str] = ()) -> frozenset[str]:
        """How ``user_id`` is involved in the case (party, witness, caseworker, ...)."""
        return frozenset(self.involvement.get(user_id, frozenset()) - set(ignore))


# --- guards -----------------------------------------------------------------------------------


def _when(condition: bool, reason: Reason) -> list[Reason]:
    return [reason] if condition else []


def not_paused(f: Facts) -> list[Reason]:
    return _when(f.paused, PAUSED)


def not_on_police_hold(f: Facts) -> list[Reason]:
    return _when(f.police_hold, ON_POLICE_HOLD)


def has_reporting_caseworker(f: Facts) -> list[Reason]:
    return _when(f.reporting_caseworker is None, NO_REPORTING_CASEWORKER)


def informal_agreed(f: Facts) -> list[Reason]:
    reasons = _when(f.responding_parties == 0, NO_RESPONDING_PARTY)
    reasons += _when(not f.reporting_party_known, REPORTING_PARTY_UNKNOWN)
    reasons += _when(f.informal_declined, INFORMAL_DECLINED)
    reasons += _when(
        not f.informal_declined and not f.informal_agreed_by_both, INFORMAL_NOT_AGREED
    )
    return reasons


def eligible_for_formal(f: Facts) -> list[Reason]:
    return _when(not f.eligible_for_formal, NOT_ELIGIBLE_FOR_FORMAL)


def wish_to_complain(f: Facts) -> list[Reason]:
    return _when(not f.wish_to_complain, NO_WISH_TO_COMPLAIN)


def ready_for_case_review(f: Facts) -> list[Reason]:
    return [
        *_when(not f.director_acknowledged, NOT_ACKNOWLEDGED),
        *_when(not f.central_director_notified, CENTRAL_NOT_NOTIFIED),
        *_when(not f.risk_assessment, NO_RISK_ASSESSMENT),
        *case_review_team(f),
    ]


def case_review_team(f: Facts) -> list[Reason]:
    """At least 3 counted members (11.1); a People Team member for a staff respondent."""
    return [
        *_when(f.counted_members < 3, TOO_FEW_MEMBERS),
        *_when(f.staff_respondent and not f.people_team_member, NO_PEOPLE_TEAM_MEMBER),
    ]


def officer_reasons(f: Facts, officers: tuple[int, ...], missing: Reason,
                    involved: Reason, own_role: str) -> list[Reason]:
    if not officers:
        return [missing]
    if any(f.involved_as(uid, ignore=(own_role,)) for uid in officers):
        return [involved]
    return []


def ready_for_investigation(f: Facts) -> list[Reason]:
    return [
        *_when(not f.decisions_recorded, NO_DECISIONS),
        *_when(f.decisions_recorded and not f.investigation_recommended, NO_RECOMMENDATION),
        *officer_reasons(f, f.investigating_officers, NO_INVESTIGATING_OFFICER,
                         INVESTIGATING_OFFICER_INVOLVED, "investigating_officer"),
    ]


def investigating_officer_ok(f: Facts) -> list[Reason]:
    return officer_reasons(f, f.investigating_officers, NO_INVESTIGATING_OFFICER,
                           INVESTIGATING_OFFICER_INVOLVED, "investigating_officer")


def ready_for_review(f: Facts) -> list[Reason]:
    return [
        *_when(not f.review_requested, NO_REVIEW_REQUEST),
        *officer_reasons(f, f.reviewing_officers, NO_REVIEWING_OFFICER,
                         REVIEWING_OFFICER_INVOLVED, "reviewing_officer"),
    ]


def loop_closed(f: Facts) -> list[Reason]:
    """13.19: once concluded, the case review meets again before the case moves on."""
    return [
        *_when(f.conclusion is None, NO_CONCLUSION),
        *_when(f.conclusion is not None and not f.loop_closed, LOOP_NOT_CLOSED),
    ]


def breach_found(f: Facts) -> list[Reason]:
    return _when(f.conclusion == Conclusion.NO_BREACH, NO_BREACH_FOUND)


def decisions_recorded(f: Facts) -> list[Reason]:
    return _when(not f.decisions_recorded, NO_DECISIONS)


def hearing_decided(f: Facts) -> list[Reason]:
    """14.4: the outcome follows the hearing's decision on the merits."""
    return _when(not f.hearing_decided, HEARING_NOT_DECIDED)


def _t(source: Stage, target: Stage, permission: Permission, *guards,
       needs_reason: bool = False) -> workflow.Transition:
    # Every stage move waits while the case is paused for an interruption of studies (15.7).
    return workflow.Transition(
        source, target, permission, (not_paused, *guards), needs_reason=needs_reason
    )


S = Stage
MOVES = (
    _t(S.RECEIVED, S.SUPPORT, P.MANAGE_CASES, has_reporting_caseworker),
    _t(S.SUPPORT, S.INFORMAL_RESOLUTION, P.MANAGE_CASES, informal_agreed),
    _t(S.SUPPORT, S.FORMAL_COMPLAINT, P.MANAGE_CASES, wish_to_complain),
    # 9.4 "may be referred", and 10.1: only once the reporting party wishes to complain.
    _t(S.INFORMAL_RESOLUTION, S.FORMAL_COMPLAINT, P.MANAGE_CASES,
       eligible_for_formal, wish_to_complain),
    _t(S.INFORMAL_RESOLUTION, S.SUPPORT, P.MANAGE_CASES),
    _t(S.FORMAL_COMPLAINT, S.CASE_REVIEW, P.CONVENE_CASE_REVIEW, ready_for_case_review),
    _t(S.CASE_REVIEW, S.INVESTIGATION, P.CONVENE_CASE_REVIEW,
       not_on_police_hold, ready_for_investigation),
    # The case review may decide that support, not a formal procedure, is what is needed.
    _t(S.CASE_REVIEW, S.SUPPORT, P.CONVENE_CASE_REVIEW, decisions_recorded),
    # The investigation's conclusion (13.16): a breach goes to a hearing, none to the outcome.
    # Either way the case review meets again first, to close the loop (13.19).
    _t(S.INVESTIGATION, S.HEARING, P.INVESTIGATE_CASES,
       not_on_police_hold, investigating_officer_ok, loop_closed, breach_found),
    _t(S.INVESTIGATION, S.OUTCOME, P.INVESTIGATE_CASES,
       not_on_police_hold, investigating_officer_ok, loop_closed),
    # 13.17: the Centre Director decides the next steps with the central Director.
    _t(S.HEARING, S.OUTCOME, P.DECIDE_NEXT_STEPS, hearing_decided),
    _t(S.OUTCOME, S.REVIEW, P.CONVENE_CASE_REVIEW, ready_for_review),
    # Closing: always with a closure reason. Student Services may close a case that has not
    # become a formal complaint; from then on the Safeguarding Director closes it (13.16:
    # any case may be dismissed with continued support), the Reviewing Officer after a review.
    *(
        workflow.Transition(stage, S.CLOSED, P.MANAGE_CASES, needs_reason=True)
        for stage in (S.RECEIVED, S.SUPPORT, S.INFORMAL_RESOLUTION)
    ),
    *(
        workflow.Transition(stage, S.CLOSED, P.CONVENE_CASE_REVIEW, needs_reason=True)
        for stage in (S.FORMAL_COMPLAINT, S.CASE_REVIEW, S.INVESTIGATION, S.HEARING, S.OUTCOME)
    ),
    workflow.Transition(S.REVIEW, S.CLOSED, P.DECIDE_REVIEWS, needs_reason=True),
    # A closed case can be reopened (for example after the criminal process ends, 7.5).
    workflow.Transition(S.CLOSED, S.SUPPORT, P.CONVENE_CASE_REVIEW, needs_reason=True),
)
WORKFLOW = workflow.Workflow(MOVES, order=STAGES)
TRANSITIONS: frozenset[tuple[Stage, Stage]] = frozenset(
    (Stage(t.source), Stage(t.target)) for t in WORKFLOW.transitions
)
#: The board's columns and their labels, in order.
COLUMN_LABELS = STAGE_LABELS


def available_moves(facts: Facts, granted: Collection[str]) -> list[workflow.Move]:
    """Every move from the case's stage, allowed or blocked with its reasons, in board order."""
    return WORKFLOW.available_moves(facts.stage, facts, granted)


def check_move(facts: Facts, target: str, granted: Collection[str],
               reason: str | None = None) -> workflow.Transition:
    """The move, or ``workflow.Refused`` with every reason it is blocked.

    A move into ``closed`` takes a ``ClosureReason`` code as its ``reason``.
    """
    transition = WORKFLOW.check(facts.stage, target, facts, granted, reason)
    if str(target) == Stage.CLOSED and reason not in set(ClosureReason):
        raise workflow.Refused(facts.stage, target, (CLOSURE_REASON_UNKNOWN,))
    return transition


# --- side flags: police hold (7.2) and interruption of studies (15.7) ------------------------


def _open(f: Facts) -> list[Reason]:
    return _when(f.stage == Stage.CLOSED, CASE_CLOSED)


def police_hold_reasons(f: Facts, *, on: bool, granted: Collection[str]) -> list[Reason]:
    """Why the police hold cannot be put on (``on``) or lifted now. The Director decides it."""
    reasons = _when(P.CONVENE_CASE_REVIEW not in granted, workflow.PERMISSION_REASON)
    reasons += _open(f)
    reasons += _when(on and f.police_hold, ALREADY_ON_HOLD)
    reasons += _when(not on and not f.police_hold, NOT_ON_HOLD)
    return reasons


def pause_reasons(f: Facts, *, on: bool, granted: Collection[str]) -> list[Reason]:
    """Why the case cannot be paused (``on``) or resumed: resuming needs both parties' consent."""
    reasons = _when(P.MANAGE_CASES not in granted, workflow.PERMISSION_REASON)
    reasons += _open(f)
    reasons += _when(on and f.paused, ALREADY_PAUSED)
    reasons += _when(not on and not f.paused, NOT_PAUSED)
    reasons += _when(not on and f.paused and not f.resume_consent_all, NO_RESUME_CONSENT)
    return reasons


# --- caseworkers (2.16, 12.4) -----------------------------------------------------------------


def caseworker_reasons(
    *,
    for_reporting_party: bool,
    candidate: int,
    reporting_caseworker: int | None,
    responding_student_caseworkers: Iterable[int | None],
    at_centre: bool,
    conflicted: bool,
) -> list[Reason]:
    """Why ``candidate`` may not be this party's caseworker (none: they may).

    The reporting party's caseworker and a responding student's caseworker are never the
    same person.
    """
    reasons = _when(not at_centre, CASEWORKER_NOT_AT_CENTRE)
    reasons += _when(conflicted, CASEWORKER_CONFLICTED)
    if for_reporting_party:
        same = candidate in {c for c in responding_student_caseworkers if c is not None}
    else:
        same = candidate == reporting_caseworker
    return reasons + _when(same, SAME_CASEWORKER)


def caseworkers_distinct(f: Facts) -> bool:
    """The invariant: no responding student shares the reporting party's caseworker."""
    return f.reporting_caseworker is None or f.reporting_caseworker not in set(
        f.responding_student_caseworkers
    )


# --- precautionary measures (10.2, 12) --------------------------------------------------------


def measure_reasons(
    f: Facts,
    *,
    kind: str,
    interim: bool,
    party_is_staff: bool,
    party_has_own_caseworker: bool,
    granted: Collection[str],
) -> list[Reason]:
    """Why this measure may not be set now (none: it may).

    - A measure other than an interim one needs a convened case review of at least 3
      counted members; an interim one is the Safeguarding Director's, in an urgent case.
    - A suspension needs the responding party's own caseworker, not the reporting party's.
    - A staff measure is for a member of staff, decided with the People Team (12.5).
    """
    kind = MeasureKind(kind)
    staff_measure = kind.value.startswith("staff_")
    reasons = _open(f)
    if interim:
        reasons += _when(P.SET_INTERIM_MEASURES not in granted, workflow.PERMISSION_REASON)
        reasons += _when(not f.urgent, INTERIM_NEEDS_URGENT)
    else:
        needed = P.MANAGE_STAFF_MEASURES if staff_measure else P.CONVENE_CASE_REVIEW
        reasons += _when(needed not in granted, workflow.PERMISSION_REASON)
        reasons += _when(not f.convened or f.counted_members < 3, MEASURE_NEEDS_CASE_REVIEW)
    reasons += _when(staff_measure and not party_is_staff, STAFF_MEASURE_FOR_STAFF)
    reasons += _when(not staff_measure and party_is_staff, STUDENT_MEASURE_FOR_STAFF)
    reasons += _when(kind in SUSPENSIONS and not party_has_own_caseworker,
                     SUSPENSION_NEEDS_OWN_CASEWORKER)
    return list(dict.fromkeys(reasons))


# --- officers (13.1, 16.6) --------------------------------------------------------------------


def appointment_reasons(
    f: Facts, *, user_id: int, holds_role: bool, role: str, granted: Collection[str]
) -> list[Reason]:
    """Why this person may not be appointed Investigating or Reviewing Officer.

    They must hold the role and have had no involvement: not a party, a witness, a
    caseworker, a case review member, or an officer at an earlier stage (the Investigating
    Officer can never be the Reviewing Officer).
    """
    reasons = _when(P.CONVENE_CASE_REVIEW not in granted, workflow.PERMISSION_REASON)
    reasons += _open(f)
    reasons += _when(not holds_role, OFFICER_LACKS_ROLE)
    own = "investigating_officer" if role == "investigating" else "reviewing_officer"
    return reasons + involvement_reasons(f, user_id, own)


def involvement_reasons(f: Facts, user_id: int, own: str) -> list[Reason]:
    """Each earlier involvement of ``user_id`` in the case, as a reason in words (13.1, 14.1,
    16.6). ``own``: the involvement the appointment itself is (not held against them)."""
    return [Reason(f"involved_{how}", INVOLVEMENT_LABELS[how])
            for how in sorted(f.involved_as(user_id, ignore=(own,)))]


# --- review (16): the Reviewing Officer's records --------------------------------------------

NOT_IN_REVIEW = _r("not_in_review", _l("The case is not in the review stage."))
NOT_THE_REVIEWING_OFFICER = _r(
    "not_the_reviewing_officer",
    _l("Only the Reviewing Officer appointed to this case records this (16.6)."),
)
REVIEW_ALREADY_DECIDED = _r(
    "review_already_decided",
    _l("A decision on this review request is already recorded, and the decision of a review "
       "is final (16.11): it cannot be decided again."),
)
REVIEW_FORM_NOT_CHOSEN = _r(
    "review_form_not_chosen",
    _l("Record first whether the review is a paper review or a new hearing (16.7)."),
)
REVIEW_HEARING_NOT_HELD = _r(
    "review_hearing_not_held",
    _l("A new hearing was chosen: the decision can be recorded from the day of the hearing "
       "(16.7)."),
)
REVIEW_HEARING_DETAILS = _r(
    "review_hearing_details",
    _l("A new hearing needs its date and its arrangements (16.7)."),
)
REVIEW_CONCERNS_MISSING = _r(
    "review_concerns_missing",
    _l("Say what is set aside or varied: the finding, the penalty, or both (16.10)."),
)
REVIEW_NEW_FINDING_MISSING = _r(
    "review_new_finding_missing",
    _l("The finding is set aside or varied: say what the finding is now."),
)
REVIEW_SANCTIONS_MISSING = _r(
    "review_sanctions_missing",
    _l("The penalty is varied: choose the penalty that now applies (it may be heavier than "
       "before, 16.10)."),
)
REVIEW_CONFIRM_CHANGES_NOTHING = _r(
    "review_confirm_changes_nothing",
    _l("A confirmed decision changes nothing: it sets aside or varies nothing, and the other "
       "party is not told of it (16.12)."),
)
TIMESCALE_NOT_LATER = _r(
    "timescale_not_later",
    _l("An alternative timescale is for a response later than the usual 3 weeks: choose a "
       "date after the usual deadline (16.6)."),
)
TIMESCALE_IN_THE_PAST = _r("timescale_in_the_past", _l("The new date cannot be in the past."))
REVIEW_ANSWERED = _r("review_answered", _l("This review request has already been answered."))


def review_officer_reasons(f: Facts, *, actor_id: int, granted: Collection[str]) -> list[Reason]:
    """Why ``actor_id`` may not record the review's own steps (the form of the review, the
    decision): only the case's appointed Reviewing Officer, with no other involvement
    (16.6), while the case is in review. The Safeguarding Director runs the procedure, so is
    involved; they never decide a review."""
    reasons = _when(P.DECIDE_REVIEWS not in granted, workflow.PERMISSION_REASON)
    reasons += _when(f.stage != Stage.REVIEW, NOT_IN_REVIEW)
    appointed = actor_id in f.reviewing_officers
    reasons += _when(not appointed, NOT_THE_REVIEWING_OFFICER)
    reasons += _when(appointed and bool(f.involved_as(actor_id, ignore=("reviewing_officer",))),
                     REVIEWING_OFFICER_INVOLVED)
    return reasons


def review_form_reasons(form: str, *, hearing_on: object, arrangements: str | None,
                        decided: bool) -> list[Reason]:
    """Why this choice of paper review or new hearing (16.7) cannot be recorded."""
    return [*_when(decided, REVIEW_ALREADY_DECIDED),
            *_when(form == "hearing" and (hearing_on is None or not (arrangements or "").strip()),
                   REVIEW_HEARING_DETAILS)]


def review_decision_reasons(*, decided: bool, form: str | None, hearing_on, decided_on,
                            decision: str, concerns: Collection[str], new_finding: str | None,
                            sanctions: Collection[str], affects_other_party: bool
                            ) -> list[Reason]:
    """Why this decision on a review request (16.10) cannot be recorded (none: it can).

    - It is final (16.11): a request is decided once.
    - The form of the review is chosen first (16.7); after a new hearing, not before its day.
    - A confirmation sets aside and varies nothing, so nobody else is told of it (16.12).
    - Setting aside or varying says what: the finding (with the finding as it now stands),
      the penalty (varied: the whole penalty that now applies, heavier or lighter), or both.
    """
    reasons = _when(decided, REVIEW_ALREADY_DECIDED)
    reasons += _when(form is None, REVIEW_FORM_NOT_CHOSEN)
    reasons += _when(form == "hearing" and hearing_on is not None and decided_on < hearing_on,
                     REVIEW_HEARING_NOT_HELD)
    if decision == "confirm":
        reasons += _when(bool(concerns or new_finding or sanctions or affects_other_party),
                         REVIEW_CONFIRM_CHANGES_NOTHING)
        return reasons
    reasons += _when(not concerns, REVIEW_CONCERNS_MISSING)
    reasons += _when("finding" in concerns and not new_finding, REVIEW_NEW_FINDING_MISSING)
    reasons += _when(decision == "vary" and "penalty" in concerns and not sanctions,
                     REVIEW_SANCTIONS_MISSING)
    return reasons


def timescale_reasons(*, due_on, usual_due_on, today, answered: bool) -> list[Reason]:
    """Why this alternative timescale (16.6) cannot be issued: it is for a response later
    than the usual 3 weeks, set before the request is answered, never in the past."""
    return [*_when(answered, REVIEW_ANSWERED),
            *_when(due_on <= usual_due_on, TIMESCALE_NOT_LATER),
            *_when(due_on < today, TIMESCALE_IN_THE_PAST)]


# --- the investigation (13) -------------------------------------------------------------------


def meeting_out_of_order(role: str, met: Collection[str], *, reporting_known: bool) -> bool:
    """Whether a meeting with someone of ``role`` breaks the policy's order (13.7): the
    reporting party first, then the responding party, then witnesses. ``met``: the roles
    already met. An anonymous reporting party cannot be met, so is not waited for."""
    role = PartyRole(role)
    before = {PartyRole.REPORTING: (), PartyRole.RESPONDING: (PartyRole.REPORTING,),
              PartyRole.WITNESS: (PartyRole.REPORTING, PartyRole.RESPONDING)}[role]
    return any(r not in met for r in before
               if reporting_known or r is not PartyRole.REPORTING)


def meeting_reasons(
    f: Facts,
    *,
    role: str,
    met: Collection[str],
    welfare_check: bool,
    services_signposted: bool,
    order_reason: bool,
    police_advice: bool | None,
    granted: Collection[str],
) -> list[Reason]:
    """Why this meeting may not be recorded (none: it may).

    - The Investigating Officer records it, while the case is in investigation.
    - The welfare check, with the services signposted, is required (13.5).
    - Out of the policy's order (13.7), only with the reason written down.
    - On police hold, a meeting with the responding party needs the police consulted since
      the hold began, and their latest advice to allow it (13.11). ``police_advice``: None
      when not consulted since, else whether they allow contact.
    """
    reasons = _when(P.INVESTIGATE_CASES not in granted, workflow.PERMISSION_REASON)
    reasons += _when(f.stage != Stage.INVESTIGATION, NOT_INVESTIGATING)
    reasons += _when(not (welfare_check and services_signposted), WELFARE_CHECK_MISSING)
    out_of_order = meeting_out_of_order(role, met, reporting_known=f.reporting_party_known)
    reasons += _when(out_of_order and not order_reason, ORDER_NOT_KEPT)
    if role == PartyRole.RESPONDING and f.police_hold:
        reasons += _when(police_advice is None, POLICE_NOT_CONSULTED)
        reasons += _when(police_advice is False, POLICE_ADVISE_WAITING)
    return reasons


def investigation_record_reasons(f: Facts, *, granted: Collection[str]) -> list[Reason]:
    """Why the Investigating Officer may not record on the investigation now."""
    return [*_when(P.INVESTIGATE_CASES not in granted, workflow.PERMISSION_REASON),
            *_when(f.stage != Stage.INVESTIGATION, NOT_INVESTIGATING)]


def conclusion_reasons(f: Facts, *, granted: Collection[str]) -> list[Reason]:
    return [*investigation_record_reasons(f, granted=granted),
            *_when(f.conclusion is not None, ALREADY_CONCLUDED)]


def loop_reasons(f: Facts, *, granted: Collection[str]) -> list[Reason]:
    """Why the case review's meeting after the investigation (13.19) cannot be recorded."""
    return [*_when(P.CONVENE_CASE_REVIEW not in granted, workflow.PERMISSION_REASON),
            *_when(f.stage != Stage.INVESTIGATION, NOT_INVESTIGATING),
            *_when(f.conclusion is None, NO_CONCLUSION),
            *_when(f.loop_closed, LOOP_ALREADY_CLOSED)]


# --- the hearing (14) and the outcome (15) ---------------------------------------------------


def committee_reasons(f: Facts, *, user_id: int, active: bool,
                      granted: Collection[str]) -> list[Reason]:
    """Why this person may not sit on the hearing committee (14.1): the same involvement
    check as the officers' (a party, a witness, a caseworker, a case review member, an
    officer, conflicted), while the case is at the hearing and its decision is not made."""
    reasons = hearing_record_reasons(f, granted=granted, permission=P.CONVENE_CASE_REVIEW)
    reasons += _when(not active, OFFICER_LACKS_ROLE)
    reasons += _when(user_id in f.committee, ALREADY_ON_COMMITTEE)
    return reasons + involvement_reasons(f, user_id, "committee_officer")


def hearing_record_reasons(f: Facts, *, granted: Collection[str],
                           permission: str) -> list[Reason]:
    """Why a record of the hearing cannot be made now by someone holding ``granted``."""
    return [*_when(permission not in granted, workflow.PERMISSION_REASON),
            *_when(f.stage != Stage.HEARING, NOT_AT_HEARING),
            *_when(f.hearing_decided, HEARING_ALREADY_DECIDED)]


def outcome_reasons(f: Facts, *, granted: Collection[str], sanctions: Collection[str],
                    restorative_requested: bool) -> list[Reason]:
    """Why this outcome (15) cannot be recorded: by whoever decides the next steps, at the
    outcome stage; restorative justice only at the reporting party's request (15.4)."""
    return [*_when(P.DECIDE_NEXT_STEPS not in granted, workflow.PERMISSION_REASON),
            *_when(f.stage not in (Stage.OUTCOME, Stage.REVIEW), NOT_AT_OUTCOME),
            *_when("restorative_justice" in sanctions and not restorative_requested,
                   RESTORATIVE_NOT_REQUESTED)]
