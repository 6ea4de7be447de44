"""The public directory of Safe Contacts, and their photos."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from hsm.centres.registry import centre_or_404, centres_by_name, get_centre
from hsm.htmx import is_htmx, render
from hsm.safecontacts import queries
from hsm.safecontacts.biography import LANGUAGE_CODES
from hsm.safecontacts.forms import (
    language_name,
)
from hsm.safecontacts.views.common import bp, locale, today
from hsm.security import public


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
    stored = queries.load_photo_for(
        current_user if current_user.is_authenticated else None, photo_id
    )
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = "inline"
    return response
