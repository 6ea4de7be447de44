"""URL pieces shared by every area: bounded ids in routes, and absolute links for emails.

Every ``<int:…>`` in a route is bounded to what an id column holds (a 32-bit integer on
PostgreSQL), so ``/staff/reports/99999999999999999999`` is a plain 404 and never reaches the
database as an out-of-range number. Absolute links are built from ``HSM_BASE_URL`` and work
without a request (emails, CLI commands); they never come from the request's Host header.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, request, url_for
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's int converter, never wider than an id column, never negative."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_ID if max is None else max, signed=signed)


#: The longest request target the app answers (gunicorn is told to pass up to 8,190 bytes, so
#: that an over-long address gets the app's own 414 page, with its security headers).
MAX_URL_LENGTH = 4096


def _refuse_long_urls():
    if len(request.full_path) > MAX_URL_LENGTH:
        abort(414)


def init_app(app: Flask) -> None:
    """Install the converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(_refuse_long_urls)
    app.jinja_env.globals["id_url"] = id_url


def id_url(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """``url_for(endpoint, key=n, **values)`` for each n of a list, built once: a list links
    each of its rows to its item, and building every link anew cost more than the row.

    The address is built with MAX_ID, which only that argument can hold, then filled in."""
    mark = str(MAX_ID)
    address = url_for(endpoint, **values, **{key: MAX_ID})
    if address.count(mark) != 1:  # another argument holds the same digits: build each one
        return lambda n: url_for(endpoint, **values, **{key: n})
    before, after = address.split(mark)
    return lambda n: f"{before}{int(n)}{after}"


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` at ``HSM_BASE_URL``, with or without a request."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return current_app.config["HSM_BASE_URL"].rstrip("/") + adapter.build(endpoint, values)
