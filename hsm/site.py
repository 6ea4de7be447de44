"""Routes that belong to the site as a whole rather than to one area."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, current_app, redirect

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


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_version(filename: str) -> str | None:
    """A short hash of a static file's content, so its URL changes when the file does."""
    path = Path(current_app.static_folder, filename)
    if not path.is_file():
        return None
    return _fingerprint(str(path), path.stat().st_mtime)


def init_app(app: Flask) -> None:
    @app.url_defaults
    def version_static_urls(endpoint, values):
        # After a deploy, browsers fetch the new app.js (quick exit included) at once.
        if endpoint == "static" and "v" not in values:
            version = static_version(values.get("filename", ""))
            if version:
                values["v"] = version
