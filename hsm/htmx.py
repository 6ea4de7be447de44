"""One URL, two shapes: the whole page for a normal request, the fragment for htmx."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """A real htmx request (history restores want the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(page: str, fragment: str | None = None, *, status: int = 200, **context):
    """Render ``fragment`` for htmx requests and ``page`` otherwise; always ``Vary: HX-Request``.

    The page template ``{% include %}``s the fragment, so its markup exists once.
    """
    template = fragment if fragment and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str):
    """Tell htmx to load a whole new page (used instead of swapping a page into a card)."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
