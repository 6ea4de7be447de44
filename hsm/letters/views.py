"""The letters section of a case: list, preview, issue, download, record delivery.

Under /staff/cases/<id>/letters. Thin views: ``queries`` read (the case's scope, then the
letters' own table; 404 otherwise), ``operations`` write. Plain forms and links: every step
works without JavaScript. A letter is previewed in its recipient's language, exactly as it
will be issued; once issued it is a frozen PDF, downloaded byte for byte.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from hsm.calendar import local_today
from hsm.cases.terms import PARTY_ROLE_LABELS
from hsm.centres.registry import get_centre
from hsm.crypto import TamperedCiphertext
from hsm.forms import keeps_input
from hsm.i18n import LOCALE_NAMES, _
from hsm.letters import content, operations, queries, rendering
from hsm.letters.forms import DeliveryForm, LetterForm
from hsm.letters.terms import DELIVERY_METHOD_LABELS, LETTER_KIND_LABELS, LetterKind
from hsm.security import Permission, require_any
from hsm.workflow import Refused

bp = Blueprint("letters", __name__)
P = Permission
#: Whoever may read some case's letters holds one of these (the loader narrows it down).
READ_PERMISSIONS = (P.VIEW_CASES, P.VIEW_STAFF_RESPONDENT_CASES, P.DECIDE_REVIEWS)


@bp.context_processor
def letters_context():
    return {"kind_labels": LETTER_KIND_LABELS, "party_role_labels": PARTY_ROLE_LABELS,
            "delivery_method_labels": DELIVERY_METHOD_LABELS, "language_names": LOCALE_NAMES}


@bp.app_template_global()
def case_letters_url(case) -> str | None:
    """For the case page: the address of its letters section, if the reader may open it."""
    if current_user.is_authenticated and queries.may_read(current_user, case):
        return url_for("letters.index", case_id=case.id)
    return None


def _today(case):
    centre = get_centre(case.centre)
    return local_today(datetime.now(UTC), centre.timezone if centre else "UTC")


@bp.get("/staff/cases/<int:case_id>/letters")
@require_any(*READ_PERMISSIONS)
def index(case_id: int):
    case = queries.load_case_letters_for(current_user, case_id)
    letters = queries.letters_of(case)
    return render_template(
        "letters/index.html", case=case, letters=letters,
        corrected=queries.corrected_ids(letters), offers=queries.offers(current_user, case))


def _chosen(case):
    """The letter asked for in the query string: kind, recipient, review request, correction."""
    args = request.args
    kind = args.get("kind", "")
    party = queries.party_of(case, args.get("party", type=int))
    review = queries.review_request_of(case, args.get("request", type=int))
    corrects = None
    if args.get("corrects", type=int):
        corrects = next((x for x in queries.letters_of(case)
                         if x.id == args.get("corrects", type=int)), None)
    if kind not in set(LetterKind) or party is None:
        abort(404)
    return kind, party, review, corrects


def _prepare_page(case, form, *, preview=None, reasons=(), text_changed=False, status=200):
    kind, party, review, corrects = _chosen(case)
    return render_template(
        "letters/prepare.html", case=case, form=form, kind=kind, party=party, review=review,
        corrects=corrects, preview=preview, reasons=reasons, text_changed=text_changed,
        previewed=_fingerprint(form.text.data or "") if preview else "",
        needs_text=kind in content.NEEDS_STAFF_TEXT, action=request.full_path.rstrip("?"),
    ), status


# One rule for both methods: an id no column holds is then a 404 for either (two rules on one
# path would answer a POST to an unmatched id with 405).
@bp.route("/staff/cases/<int:case_id>/letters/new", methods=["GET", "POST"])
@require_any(*READ_PERMISSIONS)
@keeps_input
def prepare(case_id: int):
    if request.method == "POST":
        return _issue(case_id)
    return _preview(case_id)


def _preview(case_id: int):
    """The preview, in the recipient's language (a letter staff write waits for its text).
    Without a letter chosen, the letters to choose from (the section's own page)."""
    case = queries.load_case_letters_for(current_user, case_id)
    if "kind" not in request.args:
        return index(case_id)
    kind, party, review, _corrects = _chosen(case)
    form = LetterForm(formdata=None)
    if kind in content.NEEDS_STAFF_TEXT:
        return _prepare_page(case, form)
    req = content.Request(kind, party, _today(case), review_request=review)
    try:
        preview = rendering.render_body(operations.prepare(current_user, case, req))
    except Refused as refused:
        return _prepare_page(case, form, reasons=refused.reasons, status=422)
    return _prepare_page(case, form, preview=preview)


def _issue(case_id: int):
    """``action=preview`` shows the letter with the text typed; ``action=issue`` freezes it."""
    case = queries.load_case_letters_for(current_user, case_id)
    kind, party, review, corrects = _chosen(case)
    form = LetterForm()
    if not form.validate():
        return _prepare_page(case, form, status=422)
    req = content.Request(kind, party, _today(case), text=form.text.data or "",
                          review_request=review)
    changed = request.form.get("previewed", "") != _fingerprint(req.text)
    try:
        if request.form.get("action") == "issue" and not changed:
            letter = operations.issue(current_user, case, req, corrects=corrects)
            flash(_("The letter was issued. Record how it is delivered once it has been."),
                  "success")
            return redirect(url_for("letters.show", case_id=case.id, letter_id=letter.id),
                            303)
        preview = rendering.render_body(operations.prepare(current_user, case, req))
    except Refused as refused:
        case = queries.load_case_letters_for(current_user, case_id)
        return _prepare_page(case, form, reasons=refused.reasons, status=422)
    if request.form.get("action") == "issue":  # the text changed after its preview
        return _prepare_page(case, form, preview=preview, text_changed=True, status=422)
    return _prepare_page(case, form, preview=preview)


def _fingerprint(text: str) -> str:
    """Which text a preview showed: "Issue" issues only the text that was previewed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _show(case, letter, form, *, reasons=(), status=200):
    return render_template(
        "letters/letter.html", case=case, letter=letter, form=form, reasons=reasons,
        may_issue=letter.kind in queries.issuable(current_user, case),
        corrected_by=[x for x in queries.letters_of(case) if x.corrects_id == letter.id],
    ), status


@bp.get("/staff/cases/<int:case_id>/letters/<int:letter_id>")
@require_any(*READ_PERMISSIONS)
def show(case_id: int, letter_id: int):
    case, letter = queries.load_letter_for(current_user, case_id, letter_id)
    return _show(case, letter, DeliveryForm(formdata=None))


@bp.post("/staff/cases/<int:case_id>/letters/<int:letter_id>/deliveries")
@require_any(*READ_PERMISSIONS)
def deliver(case_id: int, letter_id: int):
    case, letter = queries.load_letter_for(current_user, case_id, letter_id)
    form = DeliveryForm()
    if not form.validate():
        return _show(case, letter, form, status=422)
    try:
        operations.record_delivery(current_user, case, letter, form.method.data,
                                   form.delivered_on.data)
    except Refused as refused:
        case, letter = queries.load_letter_for(current_user, case_id, letter_id)
        return _show(case, letter, form, reasons=refused.reasons, status=422)
    flash(_("The delivery was recorded."), "success")
    return redirect(url_for("letters.show", case_id=case.id, letter_id=letter.id), 303)


@bp.get("/staff/cases/<int:case_id>/letters/<int:letter_id>/pdf")
@require_any(*READ_PERMISSIONS)
def download(case_id: int, letter_id: int):
    """The exact bytes issued; a letter that fails its integrity checks is never served."""
    case, letter = queries.load_letter_for(current_user, case_id, letter_id)
    try:
        data = queries.pdf_of(letter)
    except TamperedCiphertext:
        operations.record_integrity_failure(current_user, case, letter)
        abort(500)
    operations.record_download(current_user, case, letter)
    name = f"{case.reference}-{letter.kind}-{letter.id}.pdf"
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
