"""Biographies: a Safe Contact writes theirs, EDI approves the version it read."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from hsm.forms import keeps_input
from hsm.htmx import render
from hsm.i18n import _
from hsm.safecontacts import operations, queries
from hsm.safecontacts.biography import TEXT_LOCALES
from hsm.safecontacts.forms import (
    ApproveForm,
    BiographyForm,
)
from hsm.safecontacts.views.common import STAFF, bp
from hsm.security import Permission, require, require_any


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
@keeps_input
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
