"""The public directory of Safe Contacts, and their photos."""

from __future__ import annotations

import re

from flask import current_app, request
from flask_login import current_user

from hsm import pagecache
from hsm.centres.registry import centre_or_404, centres_by_name, get_centre
from hsm.htmx import is_htmx, render
from hsm.safecontacts import operations, queries
from hsm.safecontacts.biography import LANGUAGE_CODES
from hsm.safecontacts.forms import (
    language_name,
)
from hsm.safecontacts.views.common import bp, locale, today
from hsm.security import public

# --- the page cache (hsm/pagecache.py) -------------------------------------------------------
# The directory is public and the same for every visitor: it is cached per path, locale and
# validated filters, under the directory's version counter (raised by publishing,
# unpublishing, approving a biography and recording training) and the day (badges expire).

_SLUG = re.compile(r"^[a-z0-9-]{1,60}$")
_PAGE = re.compile(r"^[1-9][0-9]{0,3}$")
_VALID = {
    "centre": lambda value: get_centre(value) is not None,
    "language": lambda value: value in LANGUAGE_CODES,
    "badge": lambda value: bool(_SLUG.match(value)),  # a topic's slug; checked by the view
    "page": lambda value: bool(_PAGE.match(value)),
}


def _cache_args() -> tuple | None:
    """The query arguments as (name, value) pairs in their order (the language links repeat
    them), if each is a known filter with a valid value and appears once; else None (the page
    is then made for this request alone)."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    names = [name for name, _value in pairs]
    if len(set(names)) != len(names):
        return None
    if not all(name in _VALID and _VALID[name](value) for name, value in pairs):
        return None
    return tuple(pairs)


def _cache_version() -> tuple:
    return (pagecache.version(operations.DIRECTORY), today().isoformat())


cached_directory = pagecache.cached_page(args=_cache_args, version=_cache_version)


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
    if badge != (args.get("badge") or None) or result.page != page:
        pagecache.do_not_store()  # an unknown badge or a page past the end: not a key
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
@cached_directory
def directory():
    """Every centre's Safe Contacts, filtered by centre, badge and language (all in the URL)."""
    return _directory(None)


@bp.get("/<centre>/safe-contacts")
@public
@cached_directory
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
