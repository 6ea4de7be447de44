"""Report a Concern: the form, the receipt, the reporter's follow-up and the staff inbox.

Views stay thin: forms check, ``operations`` write (with the actor, audited), ``queries``
read for staff. Nothing here stores or logs a network address or a user agent.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from limits import parse as parse_limit
from limits import parse_many

from hsm import keep
from hsm.calendar import local_today
from hsm.centres.registry import centre_or_404, centres_by_name, get_centre
from hsm.extensions import csrf, db, hashed_remote_address, limiter
from hsm.forms import clean, keeps_input
from hsm.htmx import is_htmx, make_response, render
from hsm.i18n import _, get_locale
from hsm.reports import (
    follow_ups,
    freshness,
    labels,
    notifications,
    operations,
    receipts,
    rules,
)
from hsm.reports.forms import (
    ActionForm,
    AssignForm,
    HandlingForm,
    NoteForm,
    ReceiptForm,
    ReplyForm,
    ReporterMessageForm,
    ReportForm,
)
from hsm.reports.models import Report
from hsm.reports.queries import InboxFilters, Scopes, inbox_page, load_report_for
from hsm.reports.rows import inbox_row
from hsm.security import Permission, can, deny, public, require, require_any

bp = Blueprint("reports", __name__)


@bp.context_processor
def report_context():
    return {"labels": labels, "inbox_row": inbox_row}

FOLLOW_UP_KEY = "follow_up"


def submit_limit() -> str:
    return current_app.config["HSM_REPORT_RATE_LIMIT"]


# --- the form ------------------------------------------------------------------------------


def _report_form(centre) -> ReportForm:
    """The form, judging dates by the calendar at the reporter's centre."""
    report_form = ReportForm()
    report_form.today = local_today(datetime.now(UTC), centre.timezone)
    return report_form


def _submit_limits():
    return parse_many(submit_limit())


def _submissions_left() -> bool:
    if not limiter.enabled:  # switched off (the benchmark only)
        return True
    key = hashed_remote_address()
    return all(limiter.limiter.test(limit, "report", key) for limit in _submit_limits())


def _count_submission() -> None:
    if limiter.enabled:
        key = hashed_remote_address()
        for limit in _submit_limits():
            limiter.limiter.hit(limit, "report", key)


#: What a database that cannot be reached raises (SQLAlchemy wraps the driver's errors).
_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError)


def _send(report_form, chosen, key) -> operations.Sent | None:
    """Store the report once (None: the address has sent its share this hour)."""
    submission = report_form.to_submission()
    binding = receipts.submission_binding(
        current_app.config["HSM_RECEIPT_PEPPER"], session.get("csrf_token", ""), chosen.slug,
        dataclasses.asdict(submission))
    if operations.find_by_submission_key(key, binding) is None and not _submissions_left():
        return None
    sent = operations.submit_once(
        submission,
        submission_key=key,
        centre=chosen.slug,
        pepper=current_app.config["HSM_RECEIPT_PEPPER"],
        binding=binding,
    )
    db.session.commit()
    return sent


@bp.route("/<centre>/report", methods=["GET", "POST"])
@public
@csrf.exempt
def form(centre: str):
    """The Report a Concern form; a valid POST stores the report and shows the receipt once.

    Whatever goes wrong, the reporter's words come back to them. So the global CSRF check is
    off here (an expired token would have answered with an error page and lost everything):
    the form checks its own token, and an expired one re-shows the form, filled in, with a
    fresh token.

    The form carries a one-time key (a hidden field, made with ``secrets`` when the form is
    first shown and kept while it is shown again). The same form sent twice (a double tap
    on a slow phone, a refreshed receipt page) stores one report: the repeat gets that report
    a new receipt code, replacing the first, and the page says so.

    The rate limit (``HSM_REPORT_RATE_LIMIT``, by default 10 an hour and 50 a day from one
    address, generous enough for a campus behind one shared address) counts stored reports
    only: not pages with mistakes, not repeats of the same form. When reached, it re-shows
    the filled-in form.
    """
    chosen = centre_or_404(centre)
    report_form = _report_form(chosen)
    key = report_form.keep_submission_key()
    if request.method == "GET":
        return render("reports/form.html", form=report_form, centre=chosen)
    if not report_form.validate_on_submit():
        problems = []
        if report_form.csrf_token.errors:
            problems.append(_("For your safety, this page had expired. Check your answers, "
                              "then press “Send my report” again."))
        return render("reports/form.html", form=report_form, centre=chosen, problems=problems)
    try:
        sent = _send(report_form, chosen, key)
    except _UNAVAILABLE:
        # The database is unreachable (a restart, a failover): nothing was stored, and the
        # reporter's words come back to them with a plain message, to send again.
        db.session.rollback()
        current_app.logger.warning("report not stored: the database is unavailable")
        problems = [_("We could not save your report just now, because of a problem on our "
                      "side. Nothing was sent, and your words are still here. Please try "
                      "again in a minute.")]
        return render("reports/form.html", status=503, form=report_form, centre=chosen,
                      problems=problems)
    if sent is None:
        problems = [_("Only a few reports can be sent from one connection in an hour, and "
                      "that number has been reached. Please try again later, or contact "
                      "Student Services at your centre directly.")]
        return render("reports/form.html", status=429, form=report_form, centre=chosen,
                      problems=problems)
    if not sent.repeated:
        _count_submission()
        notifications.new_report(sent.report)
    # The receipt is this POST's response: never a redirect, so the code is in no URL.
    reported_to = get_centre(sent.report.centre)
    return render("reports/receipt.html", centre=reported_to, report=sent.report,
                  code=sent.code, repeated=sent.repeated,
                  service=reported_to.service_status(datetime.now(UTC)))


@bp.post("/<centre>/report/check/<field>")
@public
def check(centre: str, field: str):
    """Inline check of one field (htmx): the answer is that field's message region only.

    It never holds an input, so a reply that lands while the reporter types cannot take away
    a word. What shows or hides with a choice is on the page already (static/js/app.js).
    """
    chosen = centre_or_404(centre)
    report_form = _report_form(chosen)
    if field not in ReportForm.ORDER:
        abort(404)
    report_form.check_field(field)
    template = "reports/_message.html"
    return render(template, template, form=report_form, centre=chosen, name=field)


# --- follow-up by receipt code ---------------------------------------------------------------


def receipt_limit():
    return parse_limit(current_app.config["HSM_RECEIPT_RATE_LIMIT"])


def _throttled() -> bool:
    if not limiter.enabled:  # switched off (the benchmark only)
        return False
    return not limiter.limiter.test(receipt_limit(), "receipt", hashed_remote_address())


def _count_failure() -> None:
    if limiter.enabled:
        limiter.limiter.hit(receipt_limit(), "receipt", hashed_remote_address())


def follow_up_report() -> Report | None:
    """The report of this browser's follow-up session, if the session is still alive.

    The cookie holds only a random token; the server-side row says which report it opens
    and ends it after 15 minutes idle. A token that is unknown or ended is dropped.
    """
    token = session.get(FOLLOW_UP_KEY)
    if token is None:
        return None
    row = follow_ups.resume(token, datetime.now(UTC))
    db.session.commit()  # the touch, or the end of an idle session
    if row is None:
        session.pop(FOLLOW_UP_KEY, None)
        return None
    return row.report


def _thread(report: Report, message_form=None, *, status: int = 200, pending: bool = False):
    return render(
        "reports/follow_up.html",
        "reports/_thread.html",
        status=status,
        pending=pending,
        report=report,
        centre=get_centre(report.centre),
        message_form=message_form or ReporterMessageForm(formdata=None),
        leave_form=ActionForm(formdata=None),
        reporter_status=rules.reporter_view_status(
            report.status, report.handling, report.caseworker_id is not None
        ),
    )


def _code_page(receipt_form, *, status: int = 200, throttled: bool = False,
               expired: bool = False):
    return render(
        "reports/follow_up.html",
        "reports/_code.html",
        status=status,
        report=None,
        centre=None,
        receipt_form=receipt_form,
        throttled=throttled,
        expired=expired,
    )


@bp.route("/follow-up", methods=["GET", "POST"])
@public
def follow_up():
    """Enter a receipt code, then read and write messages while the session lasts."""
    had_session = FOLLOW_UP_KEY in session
    report = follow_up_report()
    if request.method == "GET":
        if report is not None:
            return _thread(report)
        return _code_page(ReceiptForm(formdata=None), expired=had_session)

    receipt_form = ReceiptForm()
    if _throttled():
        return _code_page(receipt_form, status=429, throttled=True)
    if not receipt_form.validate_on_submit():
        return _code_page(receipt_form)
    code = receipts.parse(receipt_form.code.data)
    found = None
    if code is not None:
        found = operations.find_by_receipt(code, current_app.config["HSM_RECEIPT_PEPPER"])
    if found is None:
        _count_failure()
        receipt_form.code.errors.append(
            _("We could not find a report with that code. Check it and try again.")
        )
        return _code_page(receipt_form)
    follow_ups.end(session.get(FOLLOW_UP_KEY), datetime.now(UTC))
    session[FOLLOW_UP_KEY] = follow_ups.start(found, datetime.now(UTC))
    operations.record_follow_up(found)
    db.session.commit()
    if receipt_form.pending.data:
        # Their unsent message goes back into the message box, for them to send.
        kept = ReporterMessageForm(formdata=None, body=receipt_form.pending.data)
        return _thread(found, kept, pending=True)
    return redirect(url_for("reports.follow_up"), code=303)


@bp.post("/follow-up/message")
@public
@csrf.exempt
def follow_up_message():
    """The reporter replies or adds information.

    If the follow-up closed while they were writing (15 minutes idle, or the cookie is gone),
    their words come back on the code page, unsent, instead of being lost. That is why the
    global CSRF check is off here: the message form checks its own token before anything is
    stored, and a closed follow-up stores nothing.
    """
    report = follow_up_report()
    if report is None:
        receipt_form = ReceiptForm(formdata=None, pending=clean(request.form.get("body")))
        return _code_page(receipt_form, expired=True)
    message_form = ReporterMessageForm()
    if not message_form.validate_on_submit():
        if message_form.csrf_token.errors and not message_form.body.errors:
            message_form.body.errors = [
                _("For your safety, this page had expired. Your message has not been sent "
                  "yet: press “Send message” again.")
            ]
        return _thread(report, message_form)
    operations.add_reporter_message(report, message_form.body.data)
    db.session.commit()
    notifications.new_reporter_message(report)
    if is_htmx():
        return _thread(report)
    return redirect(url_for("reports.follow_up", _anchor="messages"), code=303)


@bp.post("/follow-up/leave")
@public
def follow_up_leave():
    """End the follow-up session at once, on the server: a copy of the cookie stops working."""
    ActionForm().validate_on_submit()
    follow_ups.end(session.pop(FOLLOW_UP_KEY, None), datetime.now(UTC))
    return redirect(url_for("reports.follow_up", left=1), code=303)


# --- the Student Services inbox ---------------------------------------------------------------


@bp.get("/staff/reports")
@require_any(Permission.VIEW_REPORTS, Permission.VIEW_STAFF_RESPONDENT_REPORTS)
def inbox():
    """New and open reports, most urgent and oldest first; filters and pages work without JS.

    The page is kept (hsm/keep.py) under the inbox's version stamp, which every change to
    what it shows moves (hsm/reports/freshness.py), with the viewer's roles (their scope),
    the language, the validated filters and htmx-or-not: the same for everyone who would be
    shown exactly it, but for the name and the token, put back on each request."""
    stamp = freshness.version()
    scopes = Scopes.of(current_user)
    centres = [c for c in centres_by_name(str(get_locale())) if scopes.may_cover(c.slug)]
    filters = InboxFilters.from_args(request.args, [c.slug for c in centres])
    announce = is_htmx()

    def page(**personal) -> str:
        return render_template(
            "reports/_list.html" if announce else "reports/inbox.html",
            inbox=inbox_page(scopes, filters), centres=centres, announce=announce, **personal)

    args = keep.request_args(filters.query(), INBOX_ARGS)
    key = None if args is None or not stamp else (stamp, str(get_locale()), announce, args,
                                                   keep.roles())
    response = make_response(INBOX_PAGES.page(key, page))
    response.vary.add("HX-Request")
    return response


#: Inbox pages, kept per version stamp, language, shape, query and roles.
INBOX_PAGES = keep.Kept(512)
INBOX_ARGS = frozenset({"centre", "status", "flag", "after", "before", "last", "lang"})


# The field of each action form, for the error summary and for focus.
ACTION_FIELDS = {"assign": "caseworker", "handling": "handling", "reply": "body", "note": "body"}


def _action_done(action: str) -> str:
    return {
        "ack": _("The report is acknowledged."),
        "assign": _("The caseworker is assigned."),
        "handling": _("How the report is handled is saved."),
        "reply": _("Your reply is sent. The reporter reads it on the follow-up page."),
        "note": _("The internal note is added."),
    }[action]


def _detail(report: Report, *, failed: str | None = None, done: str | None = None, **forms):
    """The report with its action forms.

    ``failed`` names the action form with errors: a whole page gets the error summary (and
    "Error:" in its title), an htmx answer is that form alone, with focus on the field.
    ``done`` names the action just taken: the htmx answer is its form again, focus back on its
    button, with the summary and thread out of band and the page's live region announcing it.
    An htmx action never replaces another form, where someone may be typing.
    """
    handle = can(Permission.HANDLE_REPORTS, centre=report.centre)
    assign_form = forms.get("assign_form") or AssignForm(formdata=None, prefix="assign")
    if handle:
        assign_form.set_caseworkers(operations.caseworkers_for(report.centre))
        if report.caseworker_id and not assign_form.caseworker.data:
            assign_form.caseworker.data = str(report.caseworker_id)
    handling_form = forms.get("handling_form") or HandlingForm(formdata=None, prefix="handling")
    if not handling_form.handling.data:
        handling_form.handling.data = report.handling
    action_forms = {
        "assign": assign_form,
        "handling": handling_form,
        "reply": forms.get("reply_form") or ReplyForm(formdata=None, prefix="reply"),
        "note": forms.get("note_form") or NoteForm(formdata=None, prefix="note"),
    }
    in_place = is_htmx()
    action = failed or done
    return render(
        "reports/detail.html",
        "reports/_detail_action.html" if action else "reports/_detail.html",
        action=action,
        report=report,
        centre=get_centre(report.centre),
        can_handle=handle,
        ack_form=ActionForm(formdata=None, prefix="ack"),
        assign_form=assign_form,
        reply_form=action_forms["reply"],
        note_form=action_forms["note"],
        handling_form=handling_form,
        failed=failed,
        failed_form=action_forms.get(failed),
        failed_fields=[ACTION_FIELDS[failed]] if failed else [],
        focus_field=failed if in_place else None,
        focus_button=done if in_place else None,
        announce=_action_done(done) if done and in_place else None,
    )


@bp.get("/staff/reports/<int:report_id>")
@require_any(Permission.VIEW_REPORTS, Permission.VIEW_STAFF_RESPONDENT_REPORTS)
def detail(report_id: int):
    """One report; opening it is written to the audit log."""
    report = load_report_for(current_user, report_id)
    operations.record_view(current_user, report)
    return _detail(report)


def _handled(report_id: int) -> Report:
    report = load_report_for(current_user, report_id)
    if not can(Permission.HANDLE_REPORTS, centre=report.centre):
        deny("cannot_handle_report")
    return report


def _done(report: Report, action: str):
    """After an action: the fresh detail fragment for htmx, a redirect otherwise."""
    if is_htmx():
        return _detail(load_report_for(current_user, report.id), done=action)
    flash(_action_done(action))
    return redirect(url_for("reports.detail", report_id=report.id), code=303)


@bp.post("/staff/reports/<int:report_id>/acknowledge")
@require(Permission.HANDLE_REPORTS)
def acknowledge(report_id: int):
    report = _handled(report_id)
    if ActionForm(prefix="ack").validate_on_submit():
        operations.acknowledge(current_user, report)
    return _done(report, "ack")


@bp.post("/staff/reports/<int:report_id>/assign")
@require(Permission.HANDLE_REPORTS)
@keeps_input
def assign(report_id: int):
    report = _handled(report_id)
    form = AssignForm(prefix="assign")
    caseworkers = operations.caseworkers_for(report.centre)
    form.set_caseworkers(caseworkers)
    if not form.validate_on_submit():
        return _detail(report, failed="assign", assign_form=form)
    chosen = next(u for u in caseworkers if str(u.id) == form.caseworker.data)
    operations.assign(current_user, report, chosen)
    return _done(report, "assign")


def _write(report_id: int, form_class, prefix: str, write):
    """Reply or note: both are a text written into the thread."""
    report = _handled(report_id)
    form = form_class(prefix=prefix)
    if not form.validate_on_submit():
        return _detail(report, failed=prefix, **{f"{prefix}_form": form})
    write(current_user, report, form.body.data)
    return _done(report, prefix)


@bp.post("/staff/reports/<int:report_id>/reply")
@require(Permission.HANDLE_REPORTS)
@keeps_input
def reply(report_id: int):
    """A reply the reporter reads at follow-up."""
    return _write(report_id, ReplyForm, "reply", operations.reply)


@bp.post("/staff/reports/<int:report_id>/note")
@require(Permission.HANDLE_REPORTS)
@keeps_input
def note(report_id: int):
    """An internal note the reporter never sees."""
    return _write(report_id, NoteForm, "note", operations.add_note)


@bp.post("/staff/reports/<int:report_id>/handling")
@require(Permission.HANDLE_REPORTS)
@keeps_input
def handling(report_id: int):
    report = _handled(report_id)
    form = HandlingForm(prefix="handling")
    if not form.validate_on_submit():
        return _detail(report, failed="handling", handling_form=form)
    operations.set_handling(current_user, report, form.handling.data)
    return _done(report, "handling")
