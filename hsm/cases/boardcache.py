"""The case boards' rendered cards, kept in the process and reused while nothing they show can
have changed.

A card's markup depends on the case (its ``version`` goes up with every change to it, in the
same transaction), on what the viewer may do with it (the permissions they hold on that case),
on the locale, on the day at the case's centre (a deadline falls due, "days in this stage"),
and on the board's own arguments (its tab and filters, carried by each move's form). The key
holds every one of those, read afresh on each request, so a card is never served from before
a change: on any worker of any app server a new version is simply a new key. Nothing needs
invalidating; old entries are dropped when the cache is full.

What the board reads to find its cards (the column counts, the cases of each column's page,
the viewer's permissions on them) is kept the same way, by the board's version token, which
moves with every change to a case the board shows (a change stamp per centre, in the same
transaction as the change), with the viewer's roles, the filters and the day.

A card holds a form per move, and each form a CSRF token, which belongs to the viewer's
session. The token is never stored: it is taken out of the markup when the card is stored
and the current request's own token is put back when it is served.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from markupsafe import Markup

T = TypeVar("T")
MAX_ENTRIES = 8192
#: Stands for the CSRF token in stored markup (never a value a token can take).
TOKEN = "\x00csrf\x00"  # noqa: S105 (a placeholder, not a secret)

_cards: dict[Hashable, str] = {}
#: What a board reads (its counts, its pages of cases, the viewer's permissions on them),
#: by the board's version token: the token changes with every change to a case it shows.
_reads: dict[Hashable, object] = {}
_lock = Lock()


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """What ``read()`` gave for ``key``, read once. ``key`` holds the board's version token
    (``queries.board_version``): a change to a case on that board is a new key. Keep only
    plain values (rows, counts), never ORM objects, which belong to one request's session."""
    try:
        return _reads[key]  # type: ignore[return-value]
    except KeyError:
        pass
    value = read()
    with _lock:
        if len(_reads) >= MAX_ENTRIES:
            _reads.clear()
        _reads[key] = value
    return value


def get(key: Hashable) -> str | None:
    """The stored markup for ``key`` (the token left out), or None."""
    return _cards.get(key)


def put(key: Hashable, html: str, token: str) -> str:
    """Store ``html`` made with ``token`` under ``key``, the token taken out; return what was
    stored. A card without a token (no move on offer) is stored as it is."""
    stored = html.replace(token, TOKEN) if token else html
    with _lock:
        if len(_cards) >= MAX_ENTRIES:
            _cards.clear()
        _cards[key] = stored
    return stored


def serve(stored: str, token: str) -> Markup:
    """Stored markup with the current request's token put back."""
    return Markup(stored.replace(TOKEN, token) if TOKEN in stored else stored)  # noqa: S704


def clear() -> None:
    with _lock:
        _cards.clear()
        _reads.clear()
