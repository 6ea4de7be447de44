"""One case's page, the records made on it, "My deadlines" and the deadlines' calendar files.

Every record is one POST to ``/staff/cases/<id>/record/<action>`` (``actions.ACTIONS`` is the
table). Without JavaScript the page is shown again: after a record, by a redirect; after a
mistake, with that form's answers kept and its messages, and every other form as it was. With
htmx, only the action's own form comes back (fresh, or with its messages), and the records,
the timeline, the deadlines and the next steps that the record may have changed are swapped
out of band. None of them holds an input, so nothing typed in another form is ever replaced.
"""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user
from icalendar import Calendar, Event
from werkzeug.exceptions import RequestEntityTooLarge

from hsm import audit, workflow
from hsm.cases import actions, evidence, queries
from hsm.cases import operations as op
from hsm.cases import workflow as case_workflow
from hsm.cases.forms import CaseForm
from hsm.cases.terms import DEADLINE_KIND_LABELS, Marking
from hsm.cases.views.common import BOARD_PERMISSIONS, bp, now, offered, refusal_message
from hsm.crypto import TamperedCiphertext
from hsm.extensions import csrf, db
from hsm.forms import keeps_input
from hsm.htmx import is_htmx, render
from hsm.i18n import _
from hsm.security import require_any


def _forms(case, contents, available, bound: CaseForm | None, bound_name: str | None):
    """A form for each action offered, with its case-dependent choices filled in."""
    wanted = {source for a in available for source in a.form.OFFERS.values()}
    options = queries.form_options(case, contents, wanted)
    found = {}
    for action in available:
        if action.name == bound_name and bound is not None:
            found[action.name] = bound
        else:
            found[action.name] = action.form(prefix=action.name, formdata=None).offer(options)
    return found


def _page_context(case, *, bound=None, bound_name=None):
    access = queries.access_of(case)
    sections = queries.sections_for(current_user, case, access)
    granted = queries.granted_for(current_user, case, access)
    facts = queries.facts_for(case)
    contents = queries.section_contents(case, sections)
    available = actions.offered(case, facts, granted, sections, current_user.id)
    forms = _forms(case, contents, available, bound, bound_name)
    available = [a for a in available if a.name == bound_name or forms[a.name].usable]
    events = queries.timeline(case, sections)
    return dict(
        case=case, sections=sections, Section=queries.Section, contents=contents,
        events=events, wellbeing=[e for e in events if e.marking == Marking.WELLBEING_PAST],
        deadlines=queries.open_deadlines(case, now()),
        moves=offered(case_workflow.available_moves(facts, granted)),
        actions=available, forms=forms,
        PROCEDURE=actions.PROCEDURE, linked=queries.linked_reports(case),
    )


def case_page(case, *, move_error: str | None = None, status: int = 200, bound=None,
              bound_name: str | None = None, action_error: str | None = None):
    """The case page (``move_error``: a refused move; ``bound``: a form shown again)."""
    context = _page_context(case, bound=bound, bound_name=bound_name)
    return render("cases/case.html", move_error=move_error, action_error=action_error,
                  bound_name=bound_name, status=status, **context)


@bp.get("/staff/cases/<int:case_id>")
@require_any(*BOARD_PERMISSIONS)
def case(case_id: int):
    """One case: the sections its reader may see, its timeline and open deadlines.

    The loader answers 404 outside the reader's scope; the case page itself is a read of
    the record, so it is written to the audit log."""
    found = queries.load_case_for(current_user, case_id)
    audit.record("case.viewed", actor=current_user, target_type="case", target_id=found.id,
                 centre=found.centre)
    return case_page(found)


@bp.post("/staff/cases/<int:case_id>/record/<name>")
@require_any(*BOARD_PERMISSIONS)
@keeps_input
def record(case_id: int, name: str):
    """Make one record on a case (the actions table says which, and whose)."""
    action = actions.ACTIONS.get(name)
    if action is None or action.upload:
        abort(404)
    return _record(case_id, action)


#: The upload route's body limit: a little above the largest file, so that a file just over
#: the limit is still parsed and refused by its form in words; past this, the page says it.
UPLOAD_BODY_LIMIT = evidence.MAX_BYTES + 1024 * 1024


@bp.post("/staff/cases/<int:case_id>/upload/<name>")
@csrf.exempt  # the app-wide check would read the body under the 2 MiB limit; the form checks
@require_any(*BOARD_PERMISSIONS)  # its own token (an expired one keeps the page as it was)
def upload(case_id: int, name: str):
    """A record that carries a file (evidence), with this route's own body limit.

    A body over even that limit is never parsed: the case page comes back, everything on it
    as it was, with the message on the upload's form (never a bare 413)."""
    action = actions.ACTIONS.get(name)
    if action is None or not action.upload:
        abort(404)
    request.max_content_length = UPLOAD_BODY_LIMIT
    try:
        request.files  # noqa: B018 (parse the body now, under this route's limit)
    except RequestEntityTooLarge:
        case = queries.load_case_for(current_user, case_id)
        message = _("The file is larger than %(limit)d MB, so it was not added. Nothing else "
                    "on the case has changed.", limit=evidence.MAX_BYTES // (1024 * 1024))
        return _answer(case, action, None, message, status=413)
    return _record(case_id, action)


def _record(case_id: int, action: actions.Action):
    name = action.name
    case = queries.load_case_for(current_user, case_id)
    context = _page_context(case)
    if action not in context["actions"]:
        # Not offered to this reader now (their role, the stage): the operation would refuse.
        return _answer(case, action, None, _("This cannot be recorded on the case at this "
                                             "stage, or by your role."), status=409)
    wanted = set(action.form.OFFERS.values())
    form = action.form(prefix=name).offer(queries.form_options(case, context["contents"],
                                                               wanted))
    if not form.validate():
        return _answer(case, action, form, None, status=422)
    try:
        action.run(current_user, case, form)
    except workflow.Refused as refused:
        db.session.rollback()
        case = queries.load_case_for(current_user, case_id)
        return _answer(case, action, form, refusal_message(refused, move=False), status=409)
    except LookupError:
        abort(404)
    message = str(action.done)
    if is_htmx():
        db.session.expire_all()
        return _answer(case, action, None, None, notice=message)
    flash(message)
    return redirect(url_for("cases.case", case_id=case.id, _anchor=f"action-{name}"),
                    code=303)


def _answer(case, action, form, error, *, status: int = 200, notice: str | None = None):
    """The page again (no JavaScript), or for htmx the action's form and the changed records."""
    if not is_htmx():
        return case_page(case, status=status, bound=form, bound_name=action.name,
                         action_error=error)
    context = _page_context(case, bound=form, bound_name=action.name)
    return render("cases/_recorded.html", action=action, action_error=error, notice=notice,
                  bound_name=action.name if form is not None else None, status=status,
                  **context)


# --- deadlines --------------------------------------------------------------------------------


@bp.get("/staff/cases/deadlines")
@require_any(*BOARD_PERMISSIONS)
def my_deadlines():
    """"My deadlines": the signed-in person's open deadlines across their cases."""
    return render("cases/deadlines.html", items=queries.my_deadlines(current_user, now()))


def _calendar(items) -> bytes:
    """An iCalendar file of whole-day events: the case reference and the kind of deadline,
    never a name or a detail."""
    calendar = Calendar()
    calendar.add("prodid", "-//Safe Support//Case deadlines//EN")
    calendar.add("version", "2.0")
    stamp = now().replace(microsecond=0)
    host = current_app.config["HSM_BASE_URL"].split("//", 1)[-1].split("/", 1)[0]
    for item in items:
        event = Event()
        event.add("uid", f"deadline-{item.deadline.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.deadline.due_on)
        event.add("summary", _("%(reference)s: %(kind)s", reference=item.case.reference,
                               kind=DEADLINE_KIND_LABELS[item.deadline.kind]))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def _ics(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/staff/cases/deadlines.ics")
@require_any(*BOARD_PERMISSIONS)
def my_deadlines_ics():
    """"My deadlines" as a calendar file, to import into a calendar."""
    return _ics(_calendar(queries.my_deadlines(current_user, now())), "deadlines.ics")


@bp.get("/staff/cases/<int:case_id>/deadlines/<int:deadline_id>.ics")
@require_any(*BOARD_PERMISSIONS)
def deadline_ics(case_id: int, deadline_id: int):
    """One open deadline of a case in scope, as a calendar event."""
    found = queries.load_case_for(current_user, case_id)
    items = [i for i in queries.open_deadlines(found, now()) if i.deadline.id == deadline_id]
    if not items:
        abort(404)
    return _ics(_calendar(items), f"{found.reference}-{deadline_id}.ics")



# --- evidence (13.15) -------------------------------------------------------------------------


@bp.get("/staff/cases/<int:case_id>/evidence/<int:evidence_id>")
@require_any(*BOARD_PERMISSIONS)
def evidence_file(case_id: int, evidence_id: int):
    """The original bytes of an evidence item, exactly as uploaded (checked against their
    SHA-256 first), as an attachment. Only for those who read the investigation; audited."""
    return _evidence_download(case_id, evidence_id, copy=False)


@bp.get("/staff/cases/<int:case_id>/evidence/<int:evidence_id>/copy")
@require_any(*BOARD_PERMISSIONS)
def evidence_copy(case_id: int, evidence_id: int):
    """The copy of an image made for sharing: its pixels, without metadata."""
    return _evidence_download(case_id, evidence_id, copy=True)


def _evidence_download(case_id: int, evidence_id: int, *, copy: bool):
    case, item = queries.load_evidence_for(current_user, case_id, evidence_id)
    try:
        data = queries.evidence_bytes(item, copy=copy)
    except TamperedCiphertext:
        op.record_integrity_failure(current_user, case, item)
        db.session.commit()
        abort(500)
    except LookupError:
        abort(404)
    op.record_evidence_read(current_user, case, item, "shared" if copy else "original")
    if copy:
        name, media_type = f"{case.reference}-appendix-{item.appendix}-shared.jpg", "image/jpeg"
    else:
        suffix = evidence.extension(item.filename) or ".bin"
        name, media_type = f"{case.reference}-appendix-{item.appendix}{suffix}", item.media_type
    response = make_response(data)
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the impact statement (14.4) --------------------------------------------------------------


@bp.get("/staff/cases/<int:case_id>/impact-statements/<int:statement_id>")
@require_any(*BOARD_PERMISSIONS)
def impact_statement_file(case_id: int, statement_id: int):
    """The impact statement's file, exactly as uploaded, once the decision on the merits is
    recorded; 404 while it is sealed, and for anyone who does not read the hearing. Audited."""
    case, statement = queries.load_impact_statement_for(current_user, case_id, statement_id)
    try:
        data = queries.impact_statement_bytes(case, statement)
    except TamperedCiphertext:
        op.record_integrity_failure(current_user, case, statement)
        db.session.commit()
        abort(500)
    except LookupError:
        abort(404)
    op.record_impact_statement_read(current_user, case, statement)
    suffix = evidence.extension(statement.filename or "") or ".bin"
    response = make_response(data)
    response.headers["Content-Type"] = statement.media_type or "application/octet-stream"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{case.reference}-impact-statement-{statement.id}{suffix}"')
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
