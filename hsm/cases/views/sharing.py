"""The investigation report (13.14) and sharing items with the parties (13.9, 13.15, 19.3).

Thin views on ``hsm.cases.sharing``. Plain forms and links: every step works without
JavaScript. Whoever reads a case's investigation reads its report and what was shared; the
Investigating Officer writes the report and shares. Sharing is three steps on one page:
choose what to withhold, see exactly what will be shared (the preview), then share it; only
the copy that was previewed is stored.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_login import current_user

from hsm.cases import sharing
from hsm.cases.forms import LANGUAGE_LABELS, ReportForm, ShareForm
from hsm.cases.queries import EvidenceIntegrityError
from hsm.cases.terms import ITEM_KIND_LABELS
from hsm.cases.views.common import bp
from hsm.crypto import TamperedCiphertext
from hsm.extensions import db
from hsm.forms import keeps_input
from hsm.htmx import render
from hsm.i18n import _, get_locale
from hsm.security import Permission, require, require_any
from hsm.workflow import Refused

#: Whoever may read some case's investigation holds one of these (the loader then checks the
#: case's own sections, ``queries.SECTIONS``); Student Services and the case review never do.
READERS = (Permission.INVESTIGATE_CASES, Permission.DECIDE_REVIEWS,
           Permission.VIEW_STAFF_RESPONDENT_CASES, Permission.DECIDE_NEXT_STEPS)


def _no_store(response, media_type: str, filename: str):
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the report (13.14) -------------------------------------------------------------------


def _report_page(case, report, form, *, reasons=(), saved=False, status=200):
    editable = (sharing.may_write_report(current_user, case)
                and not (report is not None and report.finished_at))
    return render("cases/report.html", case=case, report=report, form=form, reasons=reasons,
                  saved=saved, editable=editable,
                  section_labels=sharing.report_sections(case),
                  document=sharing.report_document(case, report, language=str(get_locale())),
                  status=status)


@bp.route("/staff/cases/<int:case_id>/report", methods=["GET", "POST"])
@require_any(*READERS)
@keeps_input
def report(case_id: int):
    """The report: its sections for the Investigating Officer to write while the case is in
    the investigation ("Save the draft", "Finish the report"); for everyone else who reads
    the investigation, the report as it stands."""
    case = sharing.load_investigation_for(current_user, case_id)
    found = sharing.report_of(case)
    if request.method == "GET":
        sharing.record_report_read(current_user, case, found)
        return _report_page(case, found, ReportForm(formdata=None,
                                                    data=sharing.report_texts(found)))
    form = ReportForm()
    if not form.validate():
        return _report_page(case, found, form, status=422)
    texts = form.texts()
    try:
        found = sharing.save_report(current_user, case, texts)
        if request.form.get("action") == "finish":
            blockers = sharing.finish_blockers(case, texts)
            if blockers:  # the draft is kept; the page says what finishing still needs
                return _report_page(case, found, form, reasons=blockers, saved=True)
            sharing.finish_report(current_user, case)
            flash(_("The report is finished. It can now be shared with the parties."),
                  "success")
        else:
            flash(_("The draft is saved (version %(version)d).", version=found.version),
                  "success")
    except Refused as refused:
        case = sharing.load_investigation_for(current_user, case_id)
        return _report_page(case, sharing.report_of(case), form, reasons=refused.reasons,
                            status=409)
    return redirect(url_for("cases.report", case_id=case.id), 303)


@bp.get("/staff/cases/<int:case_id>/report.pdf")
@require_any(*READERS)
def report_pdf(case_id: int):
    """The report as it stands, as PDF in the reader's language (audited)."""
    case = sharing.load_investigation_for(current_user, case_id)
    found = sharing.report_of(case)
    data = sharing.render_report_pdf(
        sharing.report_document(case, found, language=str(get_locale())))
    sharing.record_report_read(current_user, case, found)
    name = f"{case.reference}-investigation-report-v{found.version if found else 0}.pdf"
    return _no_store(make_response(data), "application/pdf", name)


# --- sharing with the parties (13.9, 13.15, 19.3) ----------------------------------------


@bp.get("/staff/cases/<int:case_id>/sharing")
@require_any(*READERS)
def shared(case_id: int):
    """What can be shared with the parties, and what each party has received."""
    case = sharing.load_investigation_for(current_user, case_id)
    copies = sharing.shares_of(case)
    return render("cases/sharing.html", case=case, items=sharing.items_of(case),
                  parties=sharing.parties_shared_with(case), copies=copies,
                  may_share=sharing.may_share(current_user, case),
                  item_kind_labels=ITEM_KIND_LABELS, labels=sharing.item_labels(case),
                  party_labels=sharing.party_labels(case))


def _share_page(case, prepared, form, *, preview=False, reasons=(), status=200):
    return render("cases/share.html", case=case, prepared=prepared, form=form,
                  preview=preview, reasons=reasons, item_kind_labels=ITEM_KIND_LABELS,
                  labels=sharing.item_labels(case),
                  section_labels=sharing.report_sections(case, party_copy=True),
                  party_labels=sharing.party_labels(case),
                  marker=sharing.marker_for(prepared.language), language_names=LANGUAGE_LABELS,
                  blocked=sharing.blocked(reasons), status=status)


def _chosen(case, kind: str, item_id: int, party_id: int):
    try:
        item = sharing.item_of(case, kind, item_id)
    except (TamperedCiphertext, EvidenceIntegrityError):
        abort(500)
    party = sharing.party_of(case, party_id)
    if item is None or party is None:
        abort(404)
    return item, party


@bp.route("/staff/cases/<int:case_id>/sharing/<kind>/<int:item_id>/<int:party_id>",
          methods=["GET", "POST"])
@require(Permission.INVESTIGATE_CASES)
@keeps_input
def share(case_id: int, kind: str, item_id: int, party_id: int):
    """The redaction step for one item and one party: "Preview" shows exactly what will be
    shared; "Share" stores that copy (and only if nothing changed since the preview)."""
    case = sharing.load_investigation_for(current_user, case_id)
    item, party = _chosen(case, kind, item_id, party_id)
    numbers = [p.number for p in item.passages or ()]
    if request.method == "GET":
        form = ShareForm(formdata=None).offer(numbers)
        prepared = sharing.prepare(case, item, party)
        reasons = [*sharing.sharing_reasons(current_user, case), *prepared.reasons]
        return _share_page(case, prepared, form, reasons=reasons,
                           status=409 if reasons else 200)
    form = ShareForm().offer(numbers)
    valid = form.validate()
    prepared = sharing.prepare(case, item, party, form.numbers() if valid else (),
                               form.phrase_list() if valid else ())
    if valid and item.passages is None and not form.checked.data:
        form.checked.errors = [_("Confirm that you have read the whole file, or do not "
                                 "share it.")]
        valid = False
    reasons = [*sharing.sharing_reasons(current_user, case), *prepared.reasons]
    if not valid or reasons:
        return _share_page(case, prepared, form, reasons=reasons, status=422)
    if request.form.get("action") != "share":
        return _share_page(case, prepared, form, preview=True)
    try:
        copy = sharing.share(current_user, case, prepared, request.form.get("previewed", ""))
    except Refused as refused:
        case = sharing.load_investigation_for(current_user, case_id)
        item, party = _chosen(case, kind, item_id, party_id)
        prepared = sharing.prepare(case, item, party, form.numbers(), form.phrase_list())
        return _share_page(case, prepared, form, preview=not prepared.reasons,
                           reasons=refused.reasons, status=409)
    flash(_("Shared. The copy is kept exactly as shared."), "success")
    return redirect(url_for("cases.shared", case_id=case.id, _anchor=f"copy-{copy.id}"), 303)


@bp.get("/staff/cases/<int:case_id>/shared/<int:copy_id>")
@require_any(*READERS)
def shared_copy(case_id: int, copy_id: int):
    """A party's copy exactly as shared, checked against its SHA-256 first (audited)."""
    case, copy = sharing.load_shared_copy_for(current_user, case_id, copy_id)
    try:
        data = sharing.shared_bytes(copy)
    except TamperedCiphertext:
        sharing.record_copy_read(current_user, case, copy, failed=True)
        db.session.commit()
        abort(500)
    sharing.record_copy_read(current_user, case, copy)
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        copy.media_type, ".txt")
    name = f"{case.reference}-shared-{copy.item_kind}-{copy.id}{suffix}"
    return _no_store(make_response(data), copy.media_type, name)

