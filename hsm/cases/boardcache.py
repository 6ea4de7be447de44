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
#: Stands for the CSRF token in stored markup (never a value a token can take).
TOKEN = "\x00csrf\x00"  # noqa: S105 (a placeholder, not a secret)
_lock = Lock()


class _Store:
    """A dict that empties itself when full (old keys are never asked for again)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.entries: dict[Hashable, object] = {}

    def get(self, key: Hashable):
        return self.entries.get(key)

    def put(self, key: Hashable, value):
        with _lock:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            self.entries[key] = value
        return value


#: Cards (about 1 KB each), whole boards (up to about 200 KB each: 20 cards a column) and
#: what boards read (their counts, their pages of cases as rows, the viewer's permissions).
_cards, _boards, _reads = _Store(8192), _Store(64), _Store(1024)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """What ``read()`` gave for ``key``, read once. ``key`` holds the board's version token
    (``queries.board_version``): a change to a case on that board is a new key. Keep only
    plain values (rows, counts), never ORM objects, which belong to one request's session."""
    found = _reads.get(key)
    return found if found is not None else _reads.put(key, read())  # type: ignore[return-value]


def get(key: Hashable, *, board: bool = False) -> str | None:
    """The stored markup of a card (or of a whole ``board``) for ``key``, token left out."""
    return (_boards if board else _cards).get(key)  # type: ignore[return-value]


def put(key: Hashable, html: str, token: str, *, board: bool = False) -> str:
    """Store ``html`` made with ``token`` under ``key``, the token taken out; return what was
    stored. A card without a token (no move on offer) is stored as it is."""
    return (_boards if board else _cards).put(key, html.replace(token, TOKEN) if token else html)


def serve(stored: str, token: str) -> Markup:
    """Stored markup with the current request's token put back."""
    return Markup(stored.replace(TOKEN, token) if TOKEN in stored else stored)  # noqa: S704


def kept() -> list[str]:
    """Every piece of markup held (for tests: none may hold a token)."""
    return [*_cards.entries.values(), *_boards.entries.values()]  # type: ignore[list-item]


def clear() -> None:
    for store in (_cards, _boards, _reads):
        with _lock:
            store.entries.clear()
