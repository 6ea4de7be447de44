"""Localised error pages, with no traceback and no internals; htmx gets a fragment."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from hsm.htmx import is_htmx, make_response, render
from hsm.i18n import _

HANDLED = (400, 401, 403, 404, 405, 413, 414, 429, 500, 503)


def _messages(status: int) -> tuple[str, str]:
    return {
        400: (_("Something in that request was not right"),
              _("Please go back, check what you entered and try again.")),
        401: (_("Please sign in"), _("You need to sign in to see this page.")),
        403: (_("You do not have access to this page"),
              _("If you think you should, ask your administrator.")),
        404: (_("Page not found"),
              _("The page may have moved, or the address may be mistyped.")),
        405: (_("That action is not available here"),
              _("Please go back and use the buttons on the page.")),
        413: (_("What you sent is too large"),
              _("Please shorten the text or use a smaller file, then try again. "
                "Nothing you sent was saved.")),
        414: (_("That address is too long"),
              _("Please go back and follow a link on the page instead.")),
        429: (_("Too many attempts"),
              _("Please wait a little while, then try again.")),
        500: (_("Sorry, something went wrong on our side"),
              _("Nothing you did caused this. Please try again in a few minutes.")),
        503: (_("This service is briefly unavailable"),
              _("Nothing you did caused this, and nothing was changed. Please try again in a "
                "minute.")),
    }[status]


def _can_build_urls() -> bool:
    try:
        url_for("static", filename="css/app.css")
    except (RuntimeError, AttributeError):
        return False
    return True


def render_error(status: int, detail: str | None = None):
    title, message = _messages(status)
    response = render(
        "errors/error.html",
        "errors/_error.html",
        status=status,
        error_status=status,
        error_title=title,
        error_message=detail or message,
    )
    if is_htmx():
        # htmx swaps error responses too (see htmx-config): put the message in place of the
        # page's main content, not inside whatever small element made the request.
        response = make_response(response, retarget="#main", reswap="innerHTML")
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _("For your safety, this page stopped working after a while, so nothing was "
              "sent. Please open the page again and send it once more."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status not in HANDLED:
            return error
        if not _can_build_urls():
            # An untrusted Host header: no page can be built, so a plain answer.
            title, message = _messages(status)
            return app.response_class(f"{title}\n{message}\n", status, mimetype="text/plain")
        response = render_error(status)
        # e.g. Allow on a 405, Retry-After on a 429
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
            # The database cannot be reached (a restart, a failover): say so, and recover by
            # itself once it is back (the pool pings an idle connection: hsm/dbpool.py).
            app.logger.warning("database unavailable in %s %s", request.method,
                               request.endpoint)
            return render_error(503)
        # The endpoint, not the path: a path can hold a one-time token.
        app.logger.exception("unhandled error in %s %s", request.method, request.endpoint)
        return render_error(InternalServerError.code)
