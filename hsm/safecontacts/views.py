"""The Safe Contact scheme: apply, the EDI board, training, biographies and the directory.

Views are thin: load (with access checked in ``queries.load_contact_for``), call an operation,
render. Every state change is a POST with CSRF and works without JavaScript.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from hsm import audit, mail
from hsm.centres.registry import centre_or_404, centres_by_name, get_centre
from hsm.extensions import db, limiter
from hsm.htmx import is_htmx, render
from hsm.i18n import _, get_locale
from hsm.routing import external_url
from hsm.safecontacts import badges, equality, operations, pipeline, queries
from hsm.safecontacts.biography import LANGUAGE_CODES, TEXT_LOCALES, render_biography
from hsm.safecontacts.forms import (
    DAY_LABELS,
    MEETING_LABELS,
    STAFF_TYPE_LABELS,
    ApplicationForm,
    ApproveForm,
    BiographyForm,
    ChatForm,
    ConfirmForm,
    InductionForm,
    MeetingForm,
    MoveForm,
    RefresherForm,
    TopicForm,
    TrainingForm,
    language_name,
)
from hsm.safecontacts.models import Biography, Photo, TrainingTopic
from hsm.security import Permission, can, deny, public, require, require_any

bp = Blueprint("safecontacts", __name__)

STAFF = "/staff/safe-contacts"
MISSED_WINDOW = timedelta(days=365)


def today() -> date:
    return datetime.now(UTC).date()


def locale() -> str:
    return str(get_locale())


def described(field, hint=None) -> str:
    """The ids a field's hint and error have, for aria-describedby."""
    ids = ([f"{field.id}-hint"] if hint else []) + ([f"{field.id}-error"] if field.errors else [])
    return " ".join(ids)


def field_attrs(field, hint=None, autocomplete=None, extra=None) -> dict:
    attrs = dict(extra or {})
    if described(field, hint):
        attrs["aria-describedby"] = described(field, hint)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return attrs


@bp.context_processor
def scheme_labels():
    return {
        "sc_stage_labels": pipeline.STAGE_LABELS,
        "sc_side_stages": pipeline.SIDE_STATES,
        "sc_blocker_labels": pipeline.BLOCKER_LABELS,
        "sc_day_labels": DAY_LABELS,
        "sc_staff_types": STAFF_TYPE_LABELS,
        "sc_meeting_labels": MEETING_LABELS,
        "sc_language_name": language_name,
        "sc_render_biography": render_biography,
        "sc_described": described,
        "sc_field_attrs": field_attrs,
    }


# --- the directory (public) -----------------------------------------------------------------


def _directory(centre_slug: str | None):
    centre = centre_or_404(centre_slug) if centre_slug else None
    args = request.args
    chosen_centre = centre.slug if centre else (args.get("centre") or None)
    if chosen_centre and get_centre(chosen_centre) is None:
        chosen_centre = None
    language = args.get("language") or None
    if language not in LANGUAGE_CODES:
        language = None
    try:
        page = int(args.get("page", "1"))
    except ValueError:
        page = 1
    result = queries.directory(
        centre=chosen_centre,
        badge=args.get("badge") or None,
        language=language,
        page=page,
        today=today(),
    )
    badge = args.get("badge") if any(t.slug == args.get("badge") for t in result.topics) else None
    endpoint = "safecontacts.directory_centre" if centre else "safecontacts.directory"
    filters = {
        k: v
        for k, v in {
            "centre": None if centre else chosen_centre,
            "badge": badge,
            "language": language,
        }.items()
        if v
    }
    return render(
        "safecontacts/directory.html",
        "safecontacts/_directory_results.html",
        centre=centre,
        result=result,
        chosen_centre=chosen_centre,
        chosen_badge=badge,
        chosen_language=language,
        filters=filters,
        endpoint=endpoint,
        endpoint_args={"centre": centre.slug} if centre else {},
        page_args={**({"centre": centre.slug} if centre else {}), **filters},
        centres=centres_by_name(locale()),
        # Only languages someone speaks (and the one asked for, so the filter still shows it).
        languages=sorted(
            (
                (code, language_name(code))
                for code in set(queries.spoken_languages(chosen_centre)) | ({language} - {None})
            ),
            key=lambda pair: pair[1],
        ),
        announce=is_htmx(),
    )


@bp.get("/safe-contacts")
@public
def directory():
    """Every centre's Safe Contacts, filtered by centre, badge and language (all in the URL)."""
    return _directory(None)


@bp.get("/<centre>/safe-contacts")
@public
def directory_centre(centre: str):
    """One centre's Safe Contacts, with that centre's emergency strip."""
    return _directory(centre)


@bp.get("/safe-contacts/photos/<int:photo_id>")
@public
def photo(photo_id: int):
    """A photo: public once its biography is published; a draft's only to EDI and the owner."""
    stored = db.session.get(Photo, photo_id)
    if stored is None:
        abort(404)
    uses = db.session.scalars(sa.select(Biography).where(Biography.photo_id == photo_id)).all()
    public_use = any(
        b.status == "published" and b.safe_contact.stage == pipeline.Stage.PUBLISHED for b in uses
    )
    if not public_use:
        allowed = current_user.is_authenticated and any(
            can(Permission.MANAGE_SAFE_CONTACTS, centre=b.safe_contact.centre)
            or (b.safe_contact.user_id == current_user.id and can(Permission.EDIT_OWN_BIOGRAPHY))
            for b in uses
        )
        if not allowed:
            if current_user.is_authenticated:
                deny("photo_out_of_scope", status=404)
            abort(404)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = "inline"
    return response


# --- applying (public) ----------------------------------------------------------------------


@bp.route("/safe-contacts/apply", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def apply():
    """The application form: the role explained, then the questions."""
    form = ApplicationForm()
    mail_failed = False
    if form.validate_on_submit():
        if queries.application_in_progress(form.email.data, operations.now()):
            form.email.errors.append(
                _(
                    "You have already applied with this email address. If you have not "
                    "confirmed it yet, look for our email, which may be in your junk folder; "
                    "the link works for 3 days. For anything else, contact the EDI office."
                )
            )
        else:
            mail_failed = _submit(form)
            if not mail_failed:  # sent: the next step is in the applicant's inbox
                return redirect(url_for("safecontacts.apply_sent"), code=303)
    status = 400 if form.errors else (503 if mail_failed else 200)
    return render("safecontacts/apply.html", form=form, mail_failed=mail_failed, status=status)


def _submit(form: ApplicationForm) -> bool:
    """Store the application and email its confirmation link.

    Returns True when the mail could not be sent: then nothing is stored, and the form comes
    back with the answers.
    """
    data = operations.ApplicationData(
        name=form.name.data,
        email=form.email.data,
        job_title=form.job_title.data,
        department=form.department.data,
        centre=form.centre.data,
        staff_type=form.staff_type.data,
        statement=form.statement.data,
        line_manager_permission=form.line_manager_permission.data == "yes",
        specialist_interest=form.specialist_interest.data == "yes",
        locale=locale(),
    )
    contact, token = operations.submit_application(data, form.equality_answers())
    link = external_url("safecontacts.confirm", token=token)
    try:
        # Sent now, not through the outbox: the applicant is told at once whether it left,
        # and nothing is kept if it did not (they send the form again, answers in place).
        mail.send(
            contact.email,
            _("Confirm your Safe Contact application"),
            _(
                "Thank you for applying to be a Safe Contact.\n\n"
                "To send your application to the EDI office, confirm your email address "
                "by opening this link within 3 days:\n%(link)s\n\n"
                "If you did not apply, you can ignore this email.",
                link=link,
            ),
        )
    except mail.ERRORS:
        current_app.logger.warning("could not send a Safe Contact confirmation email")
        db.session.rollback()
        return True
    db.session.commit()
    return False


@bp.get("/safe-contacts/apply/sent")
@public
def apply_sent():
    return render("safecontacts/apply_sent.html")


@bp.route("/safe-contacts/apply/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def confirm(token: str):
    """Confirm the work email. A button, so that mail scanners opening the link change nothing."""
    contact = operations.find_by_token(token)
    form = ConfirmForm()
    if contact is not None and form.validate_on_submit():
        operations.confirm_email(contact)
        db.session.commit()
        return render("safecontacts/confirmed.html")
    return render(
        "safecontacts/confirm.html",
        form=form,
        valid=contact is not None,
        status=200 if contact is not None else 404,
    )


# --- the EDI board --------------------------------------------------------------------------


def _topics() -> list[TrainingTopic]:
    """Every topic; the four starting ones are created (and saved) the first time EDI looks."""
    topics = operations.ensure_default_topics()
    db.session.commit()
    return topics


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
    all_topics = _topics()
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
    db.session.commit()
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
        db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
    flash(_("The induction training is recorded."))
    return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)


@bp.post(f"{STAFF}/<int:contact_id>/training")
@require(Permission.MANAGE_SAFE_CONTACTS)
def record_training(contact_id: int):
    found = queries.load_contact_for(current_user, contact_id)
    all_topics = _topics()
    form = TrainingForm(all_topics, locale())
    if not form.validate_on_submit():
        return _detail(found, training_form=form, status=400)
    topic = db.session.get(TrainingTopic, int(form.topic.data))
    operations.record_training(current_user, found, topic, form.attended_on.data)
    db.session.commit()
    flash(_("The training is recorded."))
    return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)


# --- biographies ----------------------------------------------------------------------------


@bp.get(f"{STAFF}/my-biography")
@require(Permission.EDIT_OWN_BIOGRAPHY)
def my_biography():
    """A Safe Contact's way in to their own biography."""
    own = queries.own_contact(current_user)
    if own is None:
        return render("safecontacts/no_biography.html", status=404)
    return redirect(url_for("safecontacts.biography", contact_id=own.id), code=303)


@bp.route(f"{STAFF}/<int:contact_id>/biography", methods=["GET", "POST"])
@require_any(Permission.MANAGE_SAFE_CONTACTS, Permission.EDIT_OWN_BIOGRAPHY)
def biography(contact_id: int):
    """Write the biography: EDI for anyone, a Safe Contact only for themselves."""
    found = queries.load_contact_for(current_user, contact_id, purpose="biography")
    current = found.draft_biography or found.published_biography
    has_photo = bool(current and current.photo_id)
    if request.method == "GET" and current is not None:
        form = BiographyForm(
            has_photo,
            formdata=None,
            **{f"text_{c}": getattr(current, f"text_{c}") for c in TEXT_LOCALES},
            languages=current.language_codes,
            department=current.department,
            days=current.day_codes,
            in_person=current.in_person,
            online=current.online,
            photo_alt=current.photo_alt,
        )
    elif request.method == "GET":
        form = BiographyForm(has_photo, formdata=None, department=found.department, in_person=True)
    else:
        form = BiographyForm(has_photo)
    if form.validate_on_submit():
        data = operations.BiographyData(
            texts={c: getattr(form, f"text_{c}").data or "" for c in TEXT_LOCALES},
            languages=form.languages.data,
            department=form.department.data,
            days=form.days.data,
            in_person=form.in_person.data,
            online=form.online.data,
            photo_alt=form.photo_alt.data or "",
            remove_photo=form.remove_photo.data,
        )
        operations.save_draft(current_user, found, data, form.clean_photo)
        db.session.commit()
        flash(
            _(
                "Your changes are saved as a draft. The EDI office will check them before they "
                "appear in the directory."
            )
        )
        return redirect(url_for("safecontacts.biography", contact_id=found.id), code=303)
    return render(
        "safecontacts/biography.html",
        form=form,
        contact=found,
        current=current,
        approve_form=ApproveForm(formdata=None),
        status=400 if form.errors else 200,
    )


@bp.post(f"{STAFF}/<int:contact_id>/biography/approve")
@require(Permission.MANAGE_SAFE_CONTACTS)
def approve_biography(contact_id: int):
    found = queries.load_contact_for(current_user, contact_id)
    form = ApproveForm()
    draft = found.draft_biography
    if not form.validate_on_submit() or draft is None:
        flash(_("There is no draft waiting to be approved."), "error")
    elif operations.approve_draft(current_user, found, form.version.data or ""):
        db.session.commit()
        flash(_("The biography is approved. It is now the published version."))
    else:
        # Edited while the approver was reading it: they must see the new words first.
        flash(
            _(
                "The draft was changed after you opened it, so it was not approved. "
                "Please read the new version below before approving it."
            ),
            "error",
        )
        return redirect(url_for("safecontacts.biography", contact_id=found.id), code=303)
    return redirect(url_for("safecontacts.contact", contact_id=found.id), code=303)


# --- training topics, commitments and the diversity summary ---------------------------------


def _training_page(topic_form=None, status=200, refresher_forms=None):
    all_topics = _topics()
    members = queries.scheme_members(current_user)
    forms = {t.id: RefresherForm(formdata=None, prefix=f"t{t.id}", obj=t) for t in all_topics}
    forms.update(refresher_forms or {})
    return render(
        "safecontacts/training.html",
        topics=all_topics,
        refresher_forms=forms,
        topic_form=topic_form or TopicForm(formdata=None, refresher_months=24),
        due=queries.refreshers_due(members, today()),
        status=status,
    )


@bp.route(f"{STAFF}/training", methods=["GET", "POST"])
@require(Permission.MANAGE_SAFE_CONTACTS)
def training():
    """Topics and their refresher periods, adding a topic, and the refreshers now due."""
    if request.method == "GET":
        return _training_page()
    form = TopicForm()
    if not form.validate_on_submit():
        return _training_page(topic_form=form, status=400)
    operations.add_topic(
        current_user,
        {c: getattr(form, f"name_{c}").data for c in TEXT_LOCALES},
        {c: getattr(form, f"badge_{c}").data for c in TEXT_LOCALES},
        form.refresher_months.data,
    )
    db.session.commit()
    flash(_("The topic is added."))
    return redirect(url_for("safecontacts.training"), code=303)


@bp.post(f"{STAFF}/training/topics/<int:topic_id>")
@require(Permission.MANAGE_SAFE_CONTACTS)
def topic_refresher(topic_id: int):
    topic = db.session.get(TrainingTopic, topic_id)
    if topic is None:
        abort(404)
    form = RefresherForm(prefix=f"t{topic.id}")
    if not form.validate_on_submit():
        return _training_page(status=400, refresher_forms={topic.id: form})
    operations.set_refresher(current_user, topic, form.refresher_months.data)
    db.session.commit()
    flash(_("The refresher period is saved."))
    return redirect(url_for("safecontacts.training"), code=303)


@bp.route(f"{STAFF}/commitments", methods=["GET", "POST"])
@require(Permission.MANAGE_SAFE_CONTACTS)
def commitments():
    """Record termly meetings and supervision; list Safe Contacts who missed them."""
    members = [
        m for m in queries.scheme_members(current_user) if m.stage == pipeline.Stage.PUBLISHED
    ]
    form = MeetingForm(members)
    if form.validate_on_submit():
        operations.record_meeting(
            current_user, form.kind.data, form.held_on.data, [int(i) for i in form.attendees.data]
        )
        db.session.commit()
        flash(_("The session and its attendance are recorded."))
        return redirect(url_for("safecontacts.commitments"), code=303)
    return render(
        "safecontacts/commitments.html",
        form=form,
        meetings=queries.meetings(),
        missed=queries.missed_commitments(members, today() - MISSED_WINDOW),
        members={m.id: m for m in members},
        status=400 if form.errors else 200,
    )


@bp.get(f"{STAFF}/diversity")
@require(Permission.VIEW_DIVERSITY_SUMMARY)
def diversity():
    """Equality monitoring as totals only; small counts are hidden."""
    total, summaries = equality.summarise(queries.equality_answers())
    audit.record("safecontacts.diversity_summary_viewed", actor=current_user,
                 target_type="equality_summary")
    db.session.commit()
    return render(
        "safecontacts/diversity.html",
        total=total,
        summaries=summaries,
        threshold=equality.THRESHOLD,
    )
