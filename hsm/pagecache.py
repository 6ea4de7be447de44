"""A small in-process cache for public pages that are the same for every visitor.

A centre's support pages depend only on the path, the locale and whether htmx asked for a
fragment; they hold no session data and no form token. Caching the rendered body lets them
be served nearly as fast as a constant route. Centre data is loaded at start-up, so the
cache lives as long as the process. Off when templates auto-reload (development).

Because they carry no secret, these are the only pages served compressed (see
hsm/compression.py): the brotli and gzip forms are made once, when the page is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from threading import Lock
from typing import Any

from flask import current_app, make_response, request, session

from hsm import compression
from hsm.htmx import is_htmx
from hsm.i18n import get_locale

MAX_ENTRIES = 512
# key -> (body by encoding, "identity" included; status; mimetype; Vary)
_cache: dict[tuple[str, ...], tuple[dict[str, bytes], int, str, tuple[str, ...]]] = {}
_lock = Lock()


def _enabled() -> bool:
    return bool(current_app.config.get("HSM_PAGE_CACHE", True)) and not (
        current_app.debug or current_app.config.get("TEMPLATES_AUTO_RELOAD")
    )


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Cache a public view's response body per (path, locale, htmx or not)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        # Only the bare page (or its ?lang= variant) is shared: any other query argument could
        # end up in the markup, and must never be served to the next visitor.
        if not _enabled() or request.method != "GET" or set(request.args) - {"lang"}:
            return view(*args, **kwargs)
        key = (request.path, str(get_locale()), "htmx" if is_htmx() else "page")
        hit = _cache.get(key)
        if hit is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough or session.modified:
                return response  # errors, streams and anything personal are never shared
            body = response.get_data()
            hit = (
                {"identity": body, **compression.variants(body)},
                response.status_code,
                response.mimetype,
                tuple(response.vary),
            )
            with _lock:
                if len(_cache) >= MAX_ENTRIES:
                    _cache.clear()
                _cache[key] = hit
        return _response(*hit)

    return wrapper


def _response(bodies: dict[str, bytes], status: int, mimetype: str, vary: tuple[str, ...]):
    encoding = compression.chosen_encoding(request.accept_encodings, tuple(bodies))
    response = current_app.response_class(
        bodies[encoding or "identity"], status=status, mimetype=mimetype
    )
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.update(vary)
    response.vary.add("Accept-Encoding")
    return response


def clear() -> None:
    with _lock:
        _cache.clear()
