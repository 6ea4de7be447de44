"""Routes that belong to the site as a whole rather than to one area."""

from __future__ import annotations

import hashlib
import io
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, redirect, request, send_file
from werkzeug.security import safe_join

from hsm.compression import ENCODINGS, chosen_encoding, fresh_variant
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


@public
def serve_static(filename: str):
    """A static file, in the build's brotli or gzip form when the browser accepts one.

    Its URL (with the content hash) and caching stay those of the original file; only the
    bytes on the wire change, so Content-Encoding, Content-Length and the ETag say which.
    """
    name = safe_join(current_app.static_folder, filename)
    if name is None or name.endswith(tuple(suffix for _enc, suffix in ENCODINGS)):
        abort(404)  # the compressed files are only ever served as their original
    path = Path(name)
    if not path.is_file():
        abort(404)
    offered = {
        encoding: variant
        for encoding, suffix in ENCODINGS
        if (variant := fresh_variant(path, suffix)) is not None
    }
    encoding = chosen_encoding(request.accept_encodings, tuple(offered))
    chosen = path if encoding is None else offered[encoding]
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    stat = chosen.stat()
    # The bytes are read here, not streamed from an open file: static files are small, and a
    # client that drops the connection mid-answer must not leave a file handle behind.
    response = send_file(
        io.BytesIO(chosen.read_bytes()),
        mimetype=mimetype,
        max_age=current_app.get_send_file_max_age(filename),
        last_modified=stat.st_mtime,
        etag=f"{_fingerprint(str(chosen), stat.st_mtime)}-{encoding or 'identity'}",
    )
    if encoding is not None:
        response.headers["Content-Encoding"] = encoding
    if offered:
        response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    app.view_functions["static"] = serve_static
    @app.url_defaults
    def version_static_urls(endpoint, values):
        # After a deploy, browsers fetch the new app.js (quick exit included) at once.
        if endpoint == "static" and "v" not in values:
            version = static_version(values.get("filename", ""))
            if version:
                values["v"] = version
