"""The EDI board: the pipeline, one application's page, its moves and its steps."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from hsm import audit
from hsm.centres.registry import centres_by_name, get_centre
from hsm.extensions import db
from hsm.htmx import is_htmx, render
from hsm.i18n import _
from hsm.safecontacts import badges, operations, pipeline, queries
from hsm.safecontacts.forms import (
    ApproveForm,
    ChatForm,
    InductionForm,
    MoveForm,
    TrainingForm,
)
from hsm.safecontacts.views.common import STAFF, bp, locale, today, topics
from hsm.security import Permission, require


def _board_centre(value: str | None) -> str | None:
    return value if value and get_centre(value) is not None else None


def _render_board(
    centre: str | None,
    error: str | None = None,
    status: int = 200,
    notice: str | None = None,
    column: str | None = None,
    after: str | None = None,
):
    board = queries.board(current_user, centre)
    if column and after:
        # Without JavaScript, "show more" opens the board with that column's next page.
        page = queries.board_column(current_user, centre, column, after)
        if page is not None and page.state == queries.CLOSED:
            board.closed = page
        elif page is not None:
            board.columns = [page if c.state == page.state else c for c in board.columns]
    return render(
        "safecontacts/board.html",
        "safecontacts/_board.html",
        board=board,
        board_centre=centre,
        centres=centres_by_name(locale()),
        board_error=error,
        board_notice=notice,
        status=status,
    )


@bp.get(f"{STAFF}/board")
@require(Permission.MANAGE_SAFE_CONTACTS)
def board():
    """The pipeline, column by column, filtered by centre.

    With htmx: ``column`` and ``after`` give the next cards of one column; ``version`` (the
    board's token, sent by its poller) gives 204 while nothing on the board has changed.
    """
    centre = _board_centre(request.args.get("centre"))
    column, after = request.args.get("column"), request.args.get("after")
    if is_htmx() and column:
        page = queries.board_column(current_user, centre, column, after)
        if page is None:
            abort(404)
        return render(
            "safecontacts/_board_column.html", column=page, board_centre=centre, moved_id=None
        )
    version = request.args.get("version")
    if is_htmx() and version is not None and version == queries.board_version(
        current_user, centre
    ):
        unchanged = current_app.response_class(status=204)
        unchanged.vary.add("HX-Request")
        return unchanged
    return _render_board(centre, column=column, after=after)


def _detail(contact, *, status: int = 200, move_error: str | None = None, **forms):
    all_topics = topics()
    defaults = {
        "move_form": MoveForm(formdata=None),
        "chat_form": ChatForm(formdata=None, obj=contact),
        "induction_form": InductionForm(
            formdata=None,
            induction_on=contact.induction_on,
            attended={True: "yes", False: "no"}.get(contact.induction_attended),
        ),
        "training_form": TrainingForm(all_topics, locale(), formdata=None),
        "approve_form": ApproveForm(formdata=None),
    }
    defaults.update(forms)
    facts = queries.facts_for(contact)
    months = {t.id: t.refresher_months for t in all_topics}
    statuses = badges.badge_statuses(
        [(r.topic_id, r.attended_on) for r in contact.trainings], months
    )
    return render(
        "safecontacts/contact.html",
        contact=contact,
        blockers=pipeline.blockers(contact.stage, facts),
        moves=pipeline.moves_from(
            contact.stage, facts, queries.granted_at(current_user, contact.centre)
        ),
        topics={t.id: t for t in all_topics},
        badge_statuses=statuses,
        today=today(),
        move_error=move_error,
        status=status,
        **defaults,
    )


@bp.get(f"{STAFF}/<int:contact_id>")
@require(Permission.MANAGE_SAFE_CONTACTS)
def contact(contact_id: int):
    """One application: the statement, the pipeline steps, training and the biography."""
    found = queries.load_contact_for(current_user, contact_id)
    audit.record(
        "safecontacts.viewed", actor=current_user, target_type="safe_contact",
        target_id=found.id, centre=found.centre,
    )
    return _detail(found)


def _refusal(refused: pipeline.MoveRefused) -> str:
    if not refused.reasons:
        return _("That move is not allowed from this stage.")
    return _("This move is blocked: %(reasons)s", reasons="; ".join(map(str, refused.reasons)))


def _board_moved(found, board_centre, expected: str, notice=None, error=None):
    """htmx: only the card changes (in place, or into the column it is in now); the column
    counts and the words for the live regions go out of band."""
    return render(
        "safecontacts/_board_moved.html",
        moved_card=queries.card_for(current_user, found),
        in_place=found.stage == expected,
        totals=queries.column_totals(current_user, board_centre),
        board_centre=board_centre,
        board_notice=notice,
        board_error=error,
        moved_id=found.id,
    )


@bp.post(f"{STAFF}/<int:contact_id>/move")
@require(Permission.MANAGE_SAFE_CONTACTS)
def move(contact_id: int):
    """Move a card; refused moves say why. From the board, htmx swaps only that card.

    The move is one conditional UPDATE from the stage the page showed (``current``): a stale
    page, a double click or a colleague who moved first changes nothing, and says so.
    """
    found = queries.load_contact_for(current_user, contact_id)
    form = MoveForm()
    from_board = request.form.get("from") == "board"
    board_centre = _board_centre(form.board_centre.data)
    expected = form.current.data or found.stage
    error = None
    reason_missing = False
    invited = True
    if not form.validate_on_submit():
        error = _("That move could not be made. Please try again.")
    else:
        try:
            invited = operations.move(
                current_user, found, form.target.data, form.reason.data or "", expected=expected
            )
        except operations.StaleMove:
            error = _(
                "%(name)s is now at %(stage)s, so nothing was changed. Here is the latest view.",
                name=found.name,
                stage=pipeline.STAGE_LABELS[pipeline.Stage(found.stage)],
            )
        except pipeline.MoveRefused as refused:
            error = _refusal(refused)
            reason_missing = pipeline.Blocker.REASON_MISSING in refused.blockers
        except ValueError:
            error = _("That move is not allowed from this stage.")
    if error is None:
        moved = _(
            "%(name)s moved to %(stage)s.",
            name=found.name,
            stage=pipeline.STAGE_LABELS[pipeline.Stage(found.stage)],
        )
        if not invited:
            moved += " " + _(
                "The email inviting them to set a password could not be sent. They can use "
                "\"I forgot my password\" on the sign-in page instead."
            )
        if from_board and is_htmx():
            if invited:
                return _board_moved(found, board_centre, expected, notice=moved)
            return _board_moved(found, board_centre, expected, error=moved)
        flash(moved, "message" if invited else "error")
        if from_board:
            return redirect(url_for("safecontacts.board", centre=board_centre), code=303)
        return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)
    db.session.rollback()
    if from_board and is_htmx():
        return _board_moved(found, board_centre, expected, error=error)
    if from_board:
        return _render_board(board_centre, error=error, status=409)
    if reason_missing:
        form.reason.errors = [error]
        return _detail(found, move_form=form, status=400)
    # Not about the reason field (which may not even be on the page): say it at the top.
    return _detail(found, move_error=error, status=409)


@bp.post(f"{STAFF}/<int:contact_id>/chat")
@require(Permission.MANAGE_SAFE_CONTACTS)
def record_chat(contact_id: int):
    found = queries.load_contact_for(current_user, contact_id)
    form = ChatForm()
    if not form.validate_on_submit():
        return _detail(found, chat_form=form, status=400)
    operations.record_chat(
        current_user, found, form.chat_on.data, form.chat_staff_one.data, form.chat_staff_two.data
    )
    flash(_("The informal chat is recorded."))
    return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)


@bp.post(f"{STAFF}/<int:contact_id>/induction")
@require(Permission.MANAGE_SAFE_CONTACTS)
def record_induction(contact_id: int):
    found = queries.load_contact_for(current_user, contact_id)
    form = InductionForm()
    if not form.validate_on_submit():
        return _detail(found, induction_form=form, status=400)
    operations.record_induction(
        current_user, found, form.induction_on.data, form.attended.data == "yes"
    )
    flash(_("The induction training is recorded."))
    return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)


@bp.post(f"{STAFF}/<int:contact_id>/training")
@require(Permission.MANAGE_SAFE_CONTACTS)
def record_training(contact_id: int):
    found = queries.load_contact_for(current_user, contact_id)
    all_topics = topics()
    form = TrainingForm(all_topics, locale())
    if not form.validate_on_submit():
        return _detail(found, training_form=form, status=400)
    topic = queries.load_topic(int(form.topic.data))
    operations.record_training(current_user, found, topic, form.attended_on.data)
    flash(_("The training is recorded."))
    return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)
