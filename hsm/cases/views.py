"""The case boards, the case page, "My deadlines" and opening a case from a report.

Thin views: ``queries`` read (one scope, one loader that answers 404), ``operations`` write
(explicit actor, audited). The board is drawn by the shared board fragments
(``templates/macros/board/``), like the EDI board; a move is a plain POST that htmx enhances
so that only its card, the column counts and the live regions change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from hsm import audit, workflow
from hsm.accounts.forms import role_label
from hsm.cases import operations, queries
from hsm.cases import workflow as case_workflow
from hsm.cases.terms import (
    CLOSURE_REASON_LABELS,
    DEADLINE_KIND_LABELS,
    DEADLINE_STATE_LABELS,
    EVENT_LABELS,
    FLAG_LABELS,
    MARKING_LABELS,
    MEASURE_KIND_LABELS,
    OFFICER_ROLE_LABELS,
    PARTY_ROLE_LABELS,
    PARTY_TYPE_LABELS,
    REVIEW_TEAM_ROLE_LABELS,
    STAGES,
    SUPPORT_KIND_LABELS,
    SUPPORT_STATUS_LABELS,
    Flag,
    Marking,
    Stage,
)
from hsm.centres.registry import centres_by_name
from hsm.extensions import db
from hsm.htmx import is_htmx, render
from hsm.i18n import _, _l, get_locale
from hsm.reports.queries import load_report_for
from hsm.security import CENTRE_SCOPED_ROLES, Permission, Role, require, require_any

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
BOARD_ID = "cases-board"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@bp.context_processor
def cases_context():
    return {
        "stage_labels": case_workflow.COLUMN_LABELS,
        "flag_labels": FLAG_LABELS,
        "deadline_kind_labels": DEADLINE_KIND_LABELS,
        "deadline_state_labels": DEADLINE_STATE_LABELS,
        "event_labels": EVENT_LABELS,
        "party_role_labels": PARTY_ROLE_LABELS,
        "party_type_labels": PARTY_TYPE_LABELS,
        "marking_labels": MARKING_LABELS,
        "measure_kind_labels": MEASURE_KIND_LABELS,
        "officer_role_labels": OFFICER_ROLE_LABELS,
        "review_team_role_labels": REVIEW_TEAM_ROLE_LABELS,
        "support_kind_labels": SUPPORT_KIND_LABELS,
        "support_status_labels": SUPPORT_STATUS_LABELS,
        "closure_reason_labels": CLOSURE_REASON_LABELS,
        "case_flags": case_flags,
    }


def case_flags(case) -> list:
    """The flags a case carries, in the order of ``Flag``."""
    return [f for f in FLAGS if getattr(case, f.value)]


def now() -> datetime:
    return datetime.now(UTC)


# --- one board per role -----------------------------------------------------------------------


@dataclass(frozen=True)
class AsRole:
    """The signed-in person seen through one of their roles: the scope of one board (tab).

    The queries read only ``id``, ``is_authenticated`` and ``role_scopes()`` of an actor.
    """

    user: object
    role: str

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def is_authenticated(self) -> bool:
        return True

    def role_scopes(self) -> list[tuple[str, str | None]]:
        return [(r, c) for r, c in self.user.role_scopes() if r == self.role]


def board_roles(user) -> list[str]:
    held = {r for r, _c in user.role_scopes()}
    return [str(r) for r in BOARD_ROLES if r in held]


def _board_actor(user, wanted: str | None) -> tuple[AsRole, list[str]]:
    roles = board_roles(user)
    if not roles:
        abort(403)  # unreachable behind @require_any, said once more here
    role = wanted if wanted in roles else roles[0]
    return AsRole(user, role), roles


def _filters(values, centres: list[str]) -> queries.BoardFilters:
    centre = values.get("centre", "")
    flag = values.get("flag", "")
    return queries.BoardFilters(
        centre=centre if centre in centres else "",
        flag=flag if flag in set(FLAGS) else "",
        mine=values.get("mine") == "1",
        overdue=values.get("overdue") == "1",
    )


def _centres_of(actor: AsRole) -> list:
    """The centres this board can show (to filter by), by name."""
    scoped = Role(actor.role) in CENTRE_SCOPED_ROLES
    mine = {c for _r, c in actor.role_scopes()}
    return [c for c in centres_by_name(str(get_locale())) if not scoped or c.slug in mine]


def _args(role: str, roles: list[str], filters: queries.BoardFilters) -> dict[str, str]:
    """The board's own URL arguments (the tab and the filters), without the empty ones."""
    args = {"board": role if len(roles) > 1 else "", "centre": filters.centre,
            "flag": filters.flag, "mine": "1" if filters.mine else "",
            "overdue": "1" if filters.overdue else ""}
    return {k: v for k, v in args.items() if v}


def _cursor(after: tuple[datetime, int] | None) -> str | None:
    if after is None:
        return None
    return f"{(after[0] - _EPOCH) // timedelta(microseconds=1)}-{after[1]}"


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    stamp, _sep, row_id = (cursor or "").partition("-")
    if not (stamp.isdigit() and row_id.isdigit() and len(stamp) < 20 and len(row_id) < 11):
        return None
    return _EPOCH + timedelta(microseconds=int(stamp)), int(row_id)


@dataclass
class BoardCard:
    """A case card as the shared board fragments draw it (``id``, ``state``, ``title``,
    ``moves``). Moves that need a written reason (closing, reopening) are on the case page."""

    card: queries.Card

    @property
    def id(self) -> int:
        return self.card.case.id

    @property
    def state(self) -> str:
        return self.card.case.stage

    @property
    def title(self) -> str:
        return self.card.case.reference

    @property
    def case(self):
        return self.card.case

    @property
    def moves(self) -> list[workflow.Move]:
        return [m for m in offered(self.card.moves) if not m.transition.needs_reason]


def offered(moves: list[workflow.Move]) -> list[workflow.Move]:
    """The moves this viewer may make: allowed, or blocked only by what the case still needs
    (a move their role never makes is not offered at all)."""
    return [m for m in moves if workflow.PERMISSION_REASON not in m.reasons]


def _cards(actor, cards: list[queries.Card]) -> list[BoardCard]:
    return [BoardCard(c) for c in queries.with_moves(actor, cards)]


def _column(actor, stage, filters, at, after, total) -> workflow.Column:
    cards, cursor = queries.column_page(actor, stage, at, filters, after=after)
    return workflow.Column(stage, case_workflow.COLUMN_LABELS[stage], cards, total,
                           _cursor(cursor))


def _board(actor, filters, at, column: str | None = None, after: str | None = None):
    counts = queries.column_counts(actor, filters, at.date())
    columns = [
        _column(actor, stage, filters, at, _after(after) if column == stage else None,
                counts[str(stage)])
        for stage in STAGES
    ]
    # One with_moves for the whole board: a fixed number of queries however many cards.
    everything = [card for col in columns for card in col.cards]
    drawn = iter(_cards(actor, everything))
    for col in columns:
        col.cards = [next(drawn) for _card in col.cards]
    return workflow.Board(columns, queries.board_version(actor, filters, at.date()))


def _spec_context(user, values):
    actor, roles = _board_actor(user, values.get("board"))
    centres = _centres_of(actor)
    filters = _filters(values, [c.slug for c in centres])
    return actor, roles, centres, filters, _args(actor.role, roles, filters)


def _render_board(values, *, error: str | None = None, status: int = 200):
    actor, roles, centres, filters, args = _spec_context(current_user, values)
    at = now()
    board = _board(actor, filters, at, values.get("column"), values.get("after"))
    interim = queries.interim_measures_awaiting_ratification(actor)
    references = queries.references_of({m.case_id for m in interim})
    return render(
        "cases/board.html", "cases/_board.html",
        board=board, board_role=actor.role, board_roles=roles, role_label=role_label,
        centres=centres, filters=filters, board_args=args, board_error=error,
        moved_id=None, interim=interim, interim_references=references,
        status=status,
    )


@bp.get("/staff/cases")
@require_any(*BOARD_PERMISSIONS)
def board():
    """The case board of the signed-in person's role (tabs when they have several).

    With htmx: ``column`` and ``after`` give the next cards of one column; ``version`` (the
    board's token, sent by its poller) gives 204 while nothing on the board has changed.
    """
    values = request.args
    if is_htmx() and values.get("column"):
        actor, _roles, _centres, filters, args = _spec_context(current_user, values)
        stage = values["column"]
        if stage not in set(STAGES):
            abort(404)
        at = now()
        col = _column(actor, Stage(stage), filters, at, _after(values.get("after")), 0)
        col.cards = _cards(actor, col.cards)
        return render("cases/_board_column.html", column=col, board_args=args, moved_id=None)
    version = values.get("version")
    if is_htmx() and version is not None:
        actor, _roles, _centres, filters, _args_ = _spec_context(current_user, values)
        if version == queries.board_version(actor, filters, now().date()):
            unchanged = current_app.response_class(status=204)
            unchanged.vary.add("HX-Request")
            return unchanged
    return _render_board(values)


# --- moves ------------------------------------------------------------------------------------


def _refusal(refused: workflow.Refused) -> str:
    if not refused.reasons:
        return _("That move is not one the procedure allows from this stage.")
    return _("This move is blocked: %(reasons)s", reasons=" ".join(map(str, refused.reasons)))


def _board_moved(case, values, expected: str, notice=None, error=None):
    actor, _roles, _centres, filters, args = _spec_context(current_user, values)
    at = now()
    upcoming = queries.next_deadlines([case.id])
    deadline = upcoming.get(case.id)
    card = queries.Card(
        case=case, next_deadline=deadline,
        deadline_state=queries.deadline_state(deadline, case, at) if deadline else None,
        days_in_stage=max(0, (at - case.stage_changed_at).days),
        assigned=queries.assigned_staff([case.id]).get(case.id, []),
    )
    cards = _cards(actor, [card])
    return render(
        "cases/_board_moved.html",
        moved_card=cards[0], in_place=case.stage == expected,
        totals=queries.column_counts(actor, filters, at.date()),
        board_args=args, board_notice=notice, board_error=error, moved_id=case.id,
    )


@bp.post("/staff/cases/<int:case_id>/move")
@require_any(*MOVE_PERMISSIONS)
def move(case_id: int):
    """Move a case; the workflow decides, and a refusal says why.

    The move is one conditional UPDATE from the stage the page showed (``current``): a stale
    page, a double click or a colleague who moved first changes nothing, and says so.
    """
    case = queries.load_case_for(current_user, case_id)
    form = request.form
    from_board = form.get("from") == "board"
    target = form.get("target", "")
    expected = form.get("current") or case.stage
    reason = form.get("reason") or None
    error = None
    if target not in set(STAGES) or expected not in set(STAGES):
        error = _("That move could not be made. Please try again.")
    else:
        try:
            operations.move(current_user, case, target, reason, expected=expected)
        except operations.StaleMove:
            error = _("Case %(reference)s is now at %(stage)s, so nothing was changed. Here is "
                      "where it is now.", reference=case.reference,
                      stage=case_workflow.COLUMN_LABELS[Stage(case.stage)])
        except workflow.Refused as refused:
            error = _refusal(refused)
    if error is None:
        notice = _("Case %(reference)s moved to %(stage)s.", reference=case.reference,
                   stage=case_workflow.COLUMN_LABELS[Stage(case.stage)])
        if from_board and is_htmx():
            return _board_moved(case, form, expected, notice=notice)
        flash(notice)
        if from_board:
            *_rest, args = _spec_context(current_user, form)
            return redirect(url_for("cases.board", **args), code=303)
        return redirect(url_for("cases.case", case_id=case.id), code=303)
    db.session.rollback()
    case = queries.load_case_for(current_user, case_id)
    if from_board and is_htmx():
        return _board_moved(case, form, expected, error=error)
    if from_board:
        return _render_board(form, error=error, status=409)
    return _case_page(case, error=error, status=409)


# --- one case ---------------------------------------------------------------------------------


def _case_page(case, *, error: str | None = None, status: int = 200):
    access = queries.access_of(case)
    sections = queries.sections_for(current_user, case, access)
    at = now()
    events = queries.timeline(case, sections)
    moves = offered(case_workflow.available_moves(
        queries.facts_for(case), queries.granted_for(current_user, case, access)))
    return render(
        "cases/case.html",
        case=case, sections=sections, Section=queries.Section,
        contents=queries.section_contents(case, sections),
        events=events,
        wellbeing=[e for e in events if e.marking == Marking.WELLBEING_PAST],
        deadlines=queries.open_deadlines(case, at), moves=moves, move_error=error,
        status=status,
    )


@bp.get("/staff/cases/<int:case_id>")
@require_any(*BOARD_PERMISSIONS)
def case(case_id: int):
    """One case: the sections its reader may see, its timeline and open deadlines.

    The loader answers 404 outside the reader's scope; the case page itself is a read of
    the record, so it is written to the audit log."""
    found = queries.load_case_for(current_user, case_id)
    audit.record("case.viewed", actor=current_user, target_type="case", target_id=found.id,
                 centre=found.centre)
    return _case_page(found)


@bp.get("/staff/cases/deadlines")
@require_any(*BOARD_PERMISSIONS)
def my_deadlines():
    """"My deadlines": the signed-in person's open deadlines across their cases."""
    return render("cases/deadlines.html", items=queries.my_deadlines(current_user, now()))


# --- opening a case ---------------------------------------------------------------------------


@bp.post("/staff/cases/from-report/<int:report_id>")
@require(P.MANAGE_CASES)
def from_report(report_id: int):
    """"Open a case" from a report: the report becomes the case's first record."""
    report = load_report_for(current_user, report_id)
    try:
        opened = operations.open_case_from_report(current_user, report)
    except workflow.Refused as refused:
        flash(" ".join(map(str, refused.reasons)), "error")
        return redirect(url_for("reports.detail", report_id=report_id), code=303)
    flash(_("Case %(reference)s is open.", reference=opened.reference))
    return redirect(url_for("cases.case", case_id=opened.id), code=303)
