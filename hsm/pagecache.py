"""A small in-process cache for public pages that are the same for every visitor.

A centre's support pages depend only on the path, the locale and whether htmx asked for a
fragment; they hold no session data and no form token. Caching the rendered body lets them
be served nearly as fast as a constant route. Centre data is loaded at start-up, so the
cache lives as long as the process. Off when templates auto-reload (development).

A public page that also depends on the database (the Safe Contact directory) names two more
things (``cached_page(args=..., version=...)``): the query arguments it accepts, validated,
which become part of the key; and a version read on every request, one primary-key read of a
version row (``PageVersion``) that the writes affecting the page change in their own
transaction (``changed``). Every worker of every app server reads the same row, so once a
change commits, no process serves the page from before it. The version can add what time
changes (the day), so that a badge that expires overnight is gone the next morning.

The cache never stores a page made for a request that carried a session cookie (someone
signed in, a form's CSRF token, a follow-up): it stores only what a visitor without any
session is shown. A view can also refuse to have its answer stored (``do_not_store``).

Because they carry no secret, these are the only pages served compressed (see
hsm/compression.py): the brotli and gzip forms are made once, when the page is stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from functools import wraps
from threading import Lock
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, make_response, request, session
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from hsm import committed, compression
from hsm.extensions import db
from hsm.htmx import is_htmx
from hsm.i18n import get_locale

MAX_ENTRIES = 512
# key -> (body by encoding, "identity" included; status; mimetype; Vary)
_cache: dict[tuple, tuple[dict[str, bytes], int, str, tuple[str, ...]]] = {}
# The version each versioned view saw last: a new one drops that view's older entries.
_seen: dict[str, Hashable] = {}
_lock = Lock()
_VERSION = "version"


class PageVersion(db.Model):
    """The version of each cached page whose content lives in the database."""

    __tablename__ = "page_version"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class _AllVersions(FunctionElement):
    """Every version, as one JSON object (name: version): a column that the session check
    of a signed-in page reads with the session (``ALL_VERSIONS``), so that the page's own
    version reads need no round trip of their own."""

    type = sa.JSON()
    inherit_cache = True
    name = "all_versions"


@compiles(_AllVersions)
def _all_versions(element, compiler, **kw) -> str:
    return "(SELECT json_group_object(name, version) FROM page_version)"


@compiles(_AllVersions, "postgresql")
def _all_versions_postgresql(element, compiler, **kw) -> str:
    return "(SELECT json_object_agg(name, version) FROM page_version)"


ALL_VERSIONS = _AllVersions()
_READ = "hsm.page_versions"  # in the request's WSGI environment: never shared with another


def read_with_session(read: dict | None) -> None:
    """The versions read with this request's session check: the version reads of this
    request use them, as committed at that moment, until the request commits (then its
    own changes count, and they are read again). The page_version table holds a handful of
    rows, one per kind of cached page and centre."""
    request.environ[_READ] = dict(read or {})


def _forget_after_commit(_session) -> None:
    if has_request_context():
        request.environ.pop(_READ, None)


sa.event.listen(Session, "after_commit", _forget_after_commit)


def version(name: str) -> int:
    """The current version of ``name`` (one primary-key read; 0 before any change).

    Read on every request of a cached page, so read cheaply: on the process's own
    connection (hsm/committed.py: one round trip, the last committed version), not through
    the request's session, which would cost a transaction (on PostgreSQL four round trips:
    4 ms against 0.35 ms here). Should that fail, it is read the ordinary way."""
    return versions([name]).get(name, 0)


def versions(names: list[str]) -> dict[str, int]:
    """The current version of each of ``names`` that has one, in one read on the process's
    own connection (as ``version``); through the request's session should that fail. A
    signed-in page has read them with its session (``read_with_session``)."""
    known = request.environ.get(_READ) if has_request_context() else None
    if known is not None:
        return {name: known[name] for name in names if name in known}
    if committed.paramstyle() == "qmark":
        marks, params = ", ".join("?" * len(names)), tuple(names)
    else:
        marks = ", ".join(f"%(n{i})s" for i in range(len(names)))
        params = {f"n{i}": name for i, name in enumerate(names)}
    try:
        return dict(committed.raw(
            f"SELECT name, version FROM page_version WHERE name IN ({marks})",  # noqa: S608 - placeholders only
            params))
    except committed.Unavailable:
        pass
    return dict(db.session.execute(
        sa.select(PageVersion.name, PageVersion.version).where(PageVersion.name.in_(names))
    ).all())


def changed(name: str, session=None) -> None:
    """Give ``name`` a new version, in the caller's transaction (one upsert): when it
    commits, every process stops serving the pages cached before it. The version is random,
    not a count, so that a row made again (an emptied or another database) never repeats a
    version that pages were cached under. ``session``: the session whose transaction the
    change is in (the request's by default)."""
    session = session if session is not None else db.session
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    new = secrets.randbits(62)
    statement = insert(PageVersion).values(name=name, version=new)
    session.execute(
        statement.on_conflict_do_update(index_elements=[PageVersion.name], set_={"version": new})
    )


def do_not_store() -> None:
    """The page being made must not be cached (it shows something its key does not hold)."""
    g.page_cache_skip = True


def _enabled() -> bool:
    return bool(current_app.config.get("HSM_PAGE_CACHE", True)) and not (
        current_app.debug or current_app.config.get("TEMPLATES_AUTO_RELOAD")
    )


def _bare_page() -> tuple | None:
    """The default: only the bare page (or its ?lang= variant) is shared."""
    return () if not set(request.args) - {"lang"} else None


def cached_page(
    view: Callable[..., Any] | None = None,
    *,
    args: Callable[[], tuple | None] = _bare_page,
    version: Callable[[], Hashable] | None = None,
):
    """Cache a public view's response body per (path, locale, htmx or not).

    ``args`` gives the request's query arguments as validated (name, value) pairs in their
    order, or None when the request carries anything else: any other argument could end up in
    the markup, and must never be served to the next visitor, so such a request is answered
    by the view and not cached. ``version`` gives what else the page depends on (checked on
    every request).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*view_args, **view_kwargs):
            if not _enabled() or request.method != "GET":
                return view(*view_args, **view_kwargs)
            extra = args()
            if extra is None:
                return view(*view_args, **view_kwargs)
            key: tuple = (request.path, str(get_locale()), "htmx" if is_htmx() else "page")
            if extra:
                key += (extra,)
            if version is not None:
                stamp = (_VERSION, request.endpoint, version())
                key += (stamp,)
                _drop_older(stamp)
            hit = _cache.get(key)
            if hit is None:
                response = make_response(view(*view_args, **view_kwargs))
                if not _shareable(response):
                    return response
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

    return decorate(view) if view is not None else decorate


def _shareable(response) -> bool:
    """Errors, streams and anything personal are never shared."""
    return not (
        response.status_code != 200
        or response.direct_passthrough
        or session.modified
        or g.get("page_cache_skip")
        # Made for someone with a session (signed in, or holding a form's token): the
        # markup could hold what is theirs.
        or current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    )


def _drop_older(stamp: tuple) -> None:
    """A view's entries made under an older version are never hit again: drop them."""
    _marker, endpoint, now = stamp
    if _seen.get(endpoint) == now:
        return
    with _lock:
        _seen[endpoint] = now
        for key in [k for k in _cache if k[-1][:2] == (_VERSION, endpoint) and k[-1] != stamp]:
            del _cache[key]


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
        _seen.clear()
