"""The case boards: one per role (tabs when someone has several), and moving a case.

The board is drawn by the shared board fragments (``templates/macros/board/``), like the EDI
board; a move is a plain POST that htmx enhances so that only its card, the column counts and
the live regions change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from babel.numbers import format_decimal
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf as csrf_token
from markupsafe import Markup

from hsm import keep, workflow
from hsm.accounts.forms import role_label
from hsm.calendar import local_today
from hsm.cases import boardcache, operations, queries
from hsm.cases import workflow as case_workflow
from hsm.cases.terms import STAGES, Stage
from hsm.cases.views.case import case_page
from hsm.cases.views.common import (
    BOARD_PERMISSIONS,
    BOARD_ROLES,
    FLAGS,
    MOVE_PERMISSIONS,
    P,
    bp,
    now,
    offered,
    refusal_message,
)
from hsm.centres.registry import centres_by_name, get_centre
from hsm.extensions import db
from hsm.htmx import is_htmx, make_response, render
from hsm.i18n import _, format_locale, get_locale
from hsm.security import CENTRE_SCOPED_ROLES, Role, require_any, scopes_for

BOARD_ID = "cases-board"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def _cards(actor, cards: list[queries.Card]) -> list[BoardCard]:
    return [BoardCard(c) for c in queries.with_moves(actor, cards)]


def _column(actor, stage, filters, at, after, total) -> workflow.Column:
    cards, cursor = queries.column_page(actor, stage, at, filters, after=after)
    return workflow.Column(stage, case_workflow.COLUMN_LABELS[stage], cards, total,
                           _cursor(cursor))


@dataclass(frozen=True)
class DrawnCard:
    """A card already drawn (from ``boardcache``): the board's column prints its markup."""

    id: int
    state: str
    html: Markup


def _totals(counts: dict[str, int]) -> dict[str, object]:
    """Each column's count as it is shown: past the bound, "more than 1,000"."""
    return {stage: n if n <= queries.COUNT_BOUND else
            _("more than %(count)s",
              count=format_decimal(queries.COUNT_BOUND, locale=format_locale()))
            for stage, n in counts.items()}


def _granted(actor, cases: list) -> dict[int, frozenset[str]]:
    """The permissions ``actor`` holds on each of ``cases`` (rows of ``queries.CARD_KEY``)."""
    access = queries.access_of_many(cases)
    return {case.id: queries.granted_for(actor, case, access[case.id]) for case in cases}


def _centre_days(cases: list, at: datetime) -> dict[str, object]:
    """The date at the centre of each of ``cases`` (a deadline falls due at its midnight)."""
    days = {}
    for case in cases:
        if case.centre not in days:
            centre = get_centre(case.centre)
            days[case.centre] = local_today(at, centre.timezone if centre else "UTC")
    return days


def _drawn(actor, cases: list, granted: dict[int, frozenset[str]], at: datetime,
           args: dict[str, str], days: dict[str, object]) -> dict[int, DrawnCard]:
    """Every card of ``cases`` (rows of ``queries.CARD_KEY``) as markup, from the card cache
    where it holds them.

    The key is everything a card shows or offers (``boardcache``): the case and its version,
    the viewer's permissions on it, the locale, the day at its centre and its days in the
    stage, and the board's arguments. Only the cards not held are loaded (their case, next
    deadline, people and workflow facts, a fixed number of queries) and drawn."""
    locale = str(get_locale())
    board = tuple(sorted(args.items()))
    keys = {}
    for case in cases:
        keys[case.id] = (case.id, case.reference, case.version, case.stage, granted[case.id],
                         locale, days[case.centre], max(0, (at - case.stage_changed_at).days),
                         board)
    token = csrf_token()
    stored = {case.id: boardcache.get(keys[case.id]) for case in cases}
    missing = [case.id for case in cases if stored[case.id] is None]
    if missing:
        loaded = queries.cases_by_id(missing)
        cards = queries.with_moves(actor, queries.cards_for(loaded, at))
        draw = _card_drawer(args)
        for card in cards:
            stored[card.case.id] = boardcache.put(
                keys[card.case.id], str(draw(BoardCard(card))), token)
    return {case.id: DrawnCard(case.id, case.stage, boardcache.serve(stored[case.id], token))
            for case in cases}


def _card_drawer(args: dict[str, str]):
    """The card macro of ``cases/_board_card.html`` with the board's context."""
    context = {"board_args": args, "moved_id": None}
    current_app.update_template_context(context)
    template = current_app.jinja_env.get_template("cases/_board_card.html")
    return template.make_module(context).whole


def _board(actor, filters, at, args, column: str | None = None,
           after: str | None = None) -> Markup:
    """The board's markup (``cases/_board.html``: its poller, the interim measures, the
    columns and their cards), the viewer's CSRF token in its move forms."""
    return boardcache.serve(_board_stored(actor, filters, at, args, column, after)[1],
                            csrf_token())


def _board_stored(actor, filters, at, args, column: str | None = None,
                  after: str | None = None) -> tuple[tuple, str]:
    """The board's key and its stored markup, the token left out (``boardcache.serve``).

    Its version token comes first (one read of the change stamps); what the board reads is
    kept by that token (``boardcache.remembered``); the markup is kept by the token, the
    locale, the day at each centre, each card's days in its stage and the board's arguments.
    When it is not held, the cards not held are drawn and the rest comes from the card cache.
    """
    version = queries.board_version(actor, filters, at.date(), committed=_only_reads())
    later = _after(after) if column in set(STAGES) else None
    shown_from = (column, later) if later is not None else None

    def reads():
        pages = queries.board_cases(actor, at, filters, after=shown_from,
                                    columns=queries.CARD_KEY)
        cases = [c for shown, _cursor in pages.values() for c in shown]
        return (queries.column_counts(actor, filters, at.date()), pages,
                _granted(actor, cases))

    counts, pages, granted = boardcache.remembered(("board", version, shown_from), reads)
    cases = [c for shown, _cursor in pages.values() for c in shown]
    days = _centre_days(cases, at)
    key = ("board", version, shown_from, str(get_locale()), tuple(sorted(days.items())),
           tuple(max(0, (at - c.stage_changed_at).days) for c in cases),
           tuple(sorted(args.items())))
    token = csrf_token()
    stored = boardcache.get(key, board=True)
    if stored is None:
        totals = _totals(counts)
        # One set of queries for the whole board, however many cards; none for cards held.
        drawn = _drawn(actor, cases, granted, at, args, days)
        columns = [
            workflow.Column(stage, case_workflow.COLUMN_LABELS[stage],
                            [drawn[c.id] for c in pages[str(stage)][0]],
                            totals[str(stage)], _cursor(pages[str(stage)][1]))
            for stage in STAGES
        ]
        interim = queries.interim_measures_awaiting_ratification(actor)
        html = render_template(
            "cases/_board.html", board=workflow.Board(columns, version), board_args=args,
            moved_id=None, interim=interim,
            interim_references=queries.references_of({m.case_id for m in interim}))
        stored = boardcache.put(key, html, token, board=True)
    return key, stored


def _only_reads() -> bool:
    """A request that changes nothing reads the committed change stamps (without a query
    through its session); a move reads its own."""
    return request.method in ("GET", "HEAD")


def _spec_context(user, values):
    actor, roles = _board_actor(user, values.get("board"))
    centres = _centres_of(actor)
    filters = _filters(values, [c.slug for c in centres])
    return actor, roles, centres, filters, _args(actor.role, roles, filters)


#: Whole board pages (hsm/keep.py), by the board's key (its version token holds the viewer,
#: their roles, the filters and the day), the viewer's roles and the page's own query.
BOARD_PAGES = keep.Kept(256)
BOARD_ARGS = frozenset({"board", "centre", "flag", "mine", "overdue", "lang"})


def _render_board(values, *, error: str | None = None, status: int = 200):
    actor, roles, centres, filters, args = _spec_context(current_user, values)
    key, stored = _board_stored(actor, filters, now(), args, values.get("column"),
                                values.get("after"))
    if is_htmx():
        response = make_response(boardcache.serve(stored, csrf_token()), status)
        response.vary.add("HX-Request")
        return response

    def page(**personal) -> str:
        token = keep.TOKEN_MARK if personal else csrf_token()
        return render_template(
            "cases/board.html", board_html=boardcache.serve(stored, token),
            board_role=actor.role, board_roles=roles, role_label=role_label,
            centres=centres, filters=filters, board_error=error,
            may_record_disclosure=bool(scopes_for(current_user, P.MANAGE_CASES)), **personal)

    own = {"board": args.get("board", ""), "centre": filters.centre, "flag": filters.flag,
           "mine": args.get("mine", ""), "overdue": args.get("overdue", "")}
    query = keep.request_args(own, BOARD_ARGS) if error is None else None
    response = make_response(
        BOARD_PAGES.page(None if query is None else (key, keep.roles(), query), page), status)
    response.vary.add("HX-Request")
    return response


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
        if version == queries.board_version(actor, filters, now().date(), committed=True):
            unchanged = current_app.response_class(status=204)
            unchanged.vary.add("HX-Request")
            return unchanged
    return _render_board(values)


# --- moves ------------------------------------------------------------------------------------


def _board_moved(case, values, expected: str, notice=None, error=None):
    actor, _roles, _centres, filters, args = _spec_context(current_user, values)
    at = now()
    card, = queries.cards_for([case], at)
    cards = _cards(actor, [card])
    return render(
        "cases/_board_moved.html",
        moved_card=cards[0], in_place=case.stage == expected,
        totals=_totals(queries.column_counts(actor, filters, at.date())),
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
            error = refusal_message(refused)
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
    return case_page(case, move_error=error, status=409)


