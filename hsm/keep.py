"""Staff pages, and parts of pages, kept in the process and shared by everyone who would be
shown exactly the same thing: the one shared piece for that (the public pages have
``hsm/pagecache.py``, which never holds a signed-in page).

A staff page differs between two people holding the same roles, reading the same page in the
same language, in two things only: the signed-in person's name and the CSRF token of its
forms. A page to be kept is made with a marker in their place (random per process,
``make``), and each request puts its own name and token back in (``personal``). Neither is
ever stored: ``make`` refuses a page that holds the request's own token.

The caller's key names everything else the page shows: the data's version stamps, the
language, the roles, the page's own validated arguments. ``request_args`` refuses (None) a
query that is not exactly the page's own, since the language links repeat the query as it
is. A page with a message to show once (a flash) is never kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable

from flask import request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from hsm.stats.memo import SnapshotCache

NAME_MARK = f"hsm-name-{secrets.token_hex(16)}"
TOKEN_MARK = f"hsm-token-{secrets.token_hex(16)}"


class Unnamed:
    """The signed-in user as a page to be kept sees them: the name is a marker."""

    name = NAME_MARK
    is_authenticated = True


def making(user) -> bool:
    """Whether the page being rendered is one being made to be kept (``user`` is the
    template's ``current_user``)."""
    return isinstance(user, Unnamed)


def roles() -> tuple:
    """The signed-in person's roles, as a key."""
    return tuple(sorted((role, centre or "") for role, centre in current_user.role_scopes()))


def request_args(own: dict[str, str], names: frozenset[str]) -> tuple | None:
    """The query as a key, when it holds only the page's own arguments (``names``, each at
    most once), each with the value the page chose from it (``own``; "lang" may be any):
    otherwise None, and the page is made for this request alone. None too while a message
    waits to be shown once."""
    if session.get("_flashes"):
        return None
    pairs = tuple(request.args.items(multi=True))
    given = [name for name, _value in pairs]
    if len(set(given)) != len(given) or not set(given) <= names:
        return None
    if any(name != "lang" and own.get(name) != value for name, value in pairs):
        return None
    return pairs


def make(render: Callable[..., str]) -> str:
    """``render(current_user=..., csrf_token=...)`` with the markers in place of both."""
    page = render(current_user=Unnamed(), csrf_token=lambda: TOKEN_MARK)
    if generate_csrf() in page:
        raise RuntimeError("a page to be kept holds this request's CSRF token")
    return page


def personal(page: str) -> str:
    """A kept page with this request's name and token put back in."""
    return (page.replace(TOKEN_MARK, generate_csrf())
            .replace(NAME_MARK, str(escape(current_user.name))))


_ALL: list[Kept] = []


def clear_all() -> None:
    """Forget every kept page (tests start each from an empty database)."""
    for kept in _ALL:
        kept.clear()


class Kept:
    """A bounded store of kept pages: ``page(key, render)`` answers this request's page."""

    def __init__(self, size: int):
        self.store = SnapshotCache(size)
        _ALL.append(self)

    def page(self, key: Hashable | None, render: Callable[..., str]) -> str:
        if key is None:
            return render()
        return personal(self.store.get(key, lambda: make(render)))

    def clear(self) -> None:
        self.store.clear()

    @property
    def entries(self) -> dict:
        return self.store._values  # noqa: SLF001 - for tests and the bench: what is kept
