"""Routes that belong to the site as a whole rather than to one area."""

from __future__ import annotations

from flask import Blueprint, current_app

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
