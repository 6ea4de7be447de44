"""The cases blueprint, the labels its templates use, and what its view modules share."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.numbers import format_decimal
from flask import Blueprint

from hsm import workflow
from hsm.cases import terms
from hsm.cases import workflow as case_workflow
from hsm.cases.terms import Flag
from hsm.i18n import _, _l, format_locale
from hsm.letters import terms as letter_terms
from hsm.security import Permission, Role

bp = Blueprint("cases", __name__)
P = Permission

#: Whoever holds one of these has a case board (admin, EDI, executive, Safe Contact do not).
BOARD_PERMISSIONS = (P.VIEW_CASES, P.VIEW_STAFF_RESPONDENT_CASES, P.REVIEW_CASES,
                     P.INVESTIGATE_CASES, P.DECIDE_REVIEWS)
#: The staff navigation's link to the board (hsm/accounts/navigation.py).
NAV_LABEL = _l("Cases")
NAV_DESCRIPTION = _l("Each case stage by stage, with its deadlines and next steps.")
#: The permissions of the workflow's moves; which move each may make is the workflow's call.
MOVE_PERMISSIONS = (P.MANAGE_CASES, P.CONVENE_CASE_REVIEW, P.INVESTIGATE_CASES,
                    P.DECIDE_NEXT_STEPS, P.DECIDE_REVIEWS)
#: The roles that open a board, in the order of their tabs.
BOARD_ROLES = (Role.STUDENT_SERVICES, Role.CENTRE_DIRECTOR, Role.SAFEGUARDING_DIRECTOR,
               Role.PEOPLE_TEAM, Role.CASE_REVIEW_MEMBER, Role.INVESTIGATING_OFFICER,
               Role.REVIEWING_OFFICER)
FLAGS = tuple(Flag)


@bp.context_processor
def cases_context():
    return {
        "stage_labels": case_workflow.COLUMN_LABELS,
        "flag_labels": terms.FLAG_LABELS,
        "deadline_kind_labels": terms.DEADLINE_KIND_LABELS,
        "deadline_state_labels": terms.DEADLINE_STATE_LABELS,
        "event_labels": terms.EVENT_LABELS,
        "party_role_labels": terms.PARTY_ROLE_LABELS,
        "party_type_labels": terms.PARTY_TYPE_LABELS,
        "marking_labels": terms.MARKING_LABELS,
        "measure_kind_labels": terms.MEASURE_KIND_LABELS,
        "officer_role_labels": terms.OFFICER_ROLE_LABELS,
        "review_team_role_labels": terms.REVIEW_TEAM_ROLE_LABELS,
        "support_kind_labels": terms.SUPPORT_KIND_LABELS,
        "support_status_labels": terms.SUPPORT_STATUS_LABELS,
        "closure_reason_labels": terms.CLOSURE_REASON_LABELS,
        "channel_labels": terms.CHANNEL_LABELS,
        "agreement_labels": terms.AGREEMENT_LABELS,
        "urgency_labels": terms.URGENCY_LABELS,
        "review_ground_labels": terms.REVIEW_GROUND_LABELS,
        "review_form_labels": terms.REVIEW_FORM_LABELS,
        "review_decision_choices": letter_terms.REVIEW_DECISION_CHOICES,
        "review_concern_labels": letter_terms.REVIEW_CONCERN_LABELS,
        "sanction_labels": letter_terms.SANCTION_LABELS,
        "conclusion_labels": terms.CONCLUSION_LABELS,
        "counter_decision_labels": terms.COUNTER_DECISION_LABELS,
        "evidence_kind_labels": terms.EVIDENCE_KIND_LABELS,
        "studies_change_labels": terms.STUDIES_CHANGE_LABELS,
        "finding_labels": letter_terms.FINDING_LABELS,
        "format_size": format_size,
        "case_flags": case_flags,
    }


def format_size(size: int) -> str:
    """A file's size in the reader's words (kB under a megabyte, else MB)."""
    if size < 1024 * 1024:
        return _("%(size)s kB", size=format_decimal(max(1, round(size / 1024)),
                                                  locale=format_locale()))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1),
                                                  locale=format_locale()))


def case_flags(case) -> list:
    """The flags a case carries, in the order of ``Flag``."""
    return [f for f in FLAGS if getattr(case, f.value)]


def now() -> datetime:
    return datetime.now(UTC)


def offered(moves: list[workflow.Move]) -> list[workflow.Move]:
    """The moves this viewer may make: allowed, or blocked only by what the case still needs
    (a move their role never makes is not offered at all)."""
    return [m for m in moves if workflow.PERMISSION_REASON not in m.reasons]


def refusal_message(refused: workflow.Refused, *, move: bool = True) -> str:
    """A refused move (or record), in words: what the procedure still needs."""
    reasons = " ".join(map(str, refused.reasons))
    if not move:
        return _("This could not be recorded: %(reasons)s", reasons=reasons)
    if not refused.reasons:
        return _("That move is not one the procedure allows from this stage.")
    return _("This move is blocked: %(reasons)s", reasons=reasons)
