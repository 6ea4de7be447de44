"""One URL, two shapes: the whole page for a normal request, the fragment for htmx.

htmx-flask (``request.htmx``, set up in ``create_app``) reads htmx's request headers and
writes its response headers; this module only adds the page-or-fragment choice.
"""

from __future__ import annotations

from flask import render_template, request
from htmx_flask import make_response


def is_htmx() -> bool:
    """A real htmx request (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render(page: str, fragment: str | None = None, *, status: int = 200, **context):
    """Render ``fragment`` for htmx requests and ``page`` otherwise; always ``Vary: HX-Request``.

    The page template ``{% include %}``s the fragment, so its markup exists once.
    """
    template = fragment if fragment and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


__all__ = ["is_htmx", "make_response", "render"]
