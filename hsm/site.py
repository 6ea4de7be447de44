"""Routes that belong to the site as a whole rather than to one area."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect

from hsm.security import public

bp = Blueprint("site", __name__)


@bp.get("/healthz")
@public
def healthz():
    """A constant answer: used by load balancers, and as the benchmark's baseline."""
    return current_app.response_class("ok\n", mimetype="text/plain")


@bp.get("/robots.txt")
@public
def robots():
    # Support pages should not be indexed with a student's search history attached.
    return current_app.response_class("User-agent: *\nDisallow: /\n", mimetype="text/plain")


@bp.get("/leave")
@public
def leave():
    """The quick exit: forget this site's cookies and storage, then go to a neutral site."""
    response = redirect(current_app.config["HSM_QUICK_EXIT_URL"], code=303)
    # Not "cache": clearing it can take seconds in some browsers, and pages are never cached.
    response.headers["Clear-Site-Data"] = '"cookies", "storage"'
    return response
