"""The shared workflow core: the moves between states, who may make them, and what blocks them.

A workflow is data. Each :class:`Transition` names its source and target state, the
permission it needs and its guards. A guard looks at the facts about one item and returns the
*reasons* the move is blocked, in words (lazy gettext strings); no reason means it may go.
:meth:`Workflow.available_moves` answers, for one item, every move from where it is, whether
it is allowed, and why not; a missing permission is a reason like any other.

The pure part takes its inputs as arguments and never reads the request, ``g`` or the
database. :func:`apply` is its one database-facing companion: it makes a move as a single
conditional ``UPDATE … WHERE id = :id AND <state> = :expected``, so that a stale page, a
double click or two people racing change the row once, and the loser is told.

A board shows the states as columns (:class:`Column`, :class:`Board`); the one set of board
fragments in ``templates/macros/board/`` draws them for every area.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from hsm.i18n import _l

MISSING_PERMISSION = "missing_permission"
REASON_MISSING = "reason_missing"


@dataclass(frozen=True)
class Reason:
    """Why a move is blocked: a stable ``code`` for code and tests, and the words for people."""

    code: str
    text: Any = field(compare=False, hash=False)

    def __str__(self) -> str:
        return str(self.text)


PERMISSION_REASON = Reason(MISSING_PERMISSION, _l("You do not have permission to make this move."))
NEEDS_REASON = Reason(REASON_MISSING, _l("A reason is needed"))

#: A guard: the facts about one item in, the reasons the move is blocked out (none: it may go).
Guard = Callable[[Any], Iterable[Reason]]


@dataclass(frozen=True)
class Transition:
    """One allowed move. ``needs_reason``: the person must say why (asked by the form)."""

    source: str
    target: str
    permission: str
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False

    def reasons(self, facts: Any, granted: Collection[str]) -> tuple[Reason, ...]:
        """Every reason this move is blocked for an item with ``facts``, for ``granted``."""
        found: list[Reason] = []
        if self.permission not in granted:
            found.append(PERMISSION_REASON)
        for guard in self.guards:
            found.extend(guard(facts))
        return tuple(dict.fromkeys(found))  # each reason once, in the order found


@dataclass(frozen=True)
class Move:
    """A move on offer from an item's state, with the reasons it is blocked (if any)."""

    transition: Transition
    reasons: tuple[Reason, ...] = ()

    @property
    def source(self) -> str:
        return self.transition.source

    @property
    def target(self) -> str:
        return self.transition.target

    @property
    def allowed(self) -> bool:
        return not self.reasons


class Refused(ValueError):
    """A move that may not be made: not in the table, or blocked for the ``reasons`` given."""

    def __init__(self, source: str, target: str, reasons: Sequence[Reason] = ()):
        self.source, self.target, self.reasons = str(source), str(target), tuple(reasons)
        codes = ", ".join(r.code for r in self.reasons) or "not a move"
        super().__init__(f"{self.source} -> {self.target} refused: {codes}")


class NotAMove(Refused):
    """``source -> target`` is not in the workflow's table at all."""


class Workflow:
    """An explicit table of transitions; anything not in it is refused."""

    def __init__(self, transitions: Iterable[Transition], order: Sequence[str] = ()):
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        self._by_pair: dict[tuple[str, str], Transition] = {}
        for t in self.transitions:
            pair = (str(t.source), str(t.target))
            if pair in self._by_pair:
                raise ValueError(f"the move {pair} is listed twice")
            if pair[0] == pair[1]:
                raise ValueError(f"the move {pair} goes nowhere")
            self._by_pair[pair] = t
        # Moves are offered in this order of their targets (then in table order).
        self._rank = {str(s): i for i, s in enumerate(order)}

    def transition(self, source: str, target: str) -> Transition | None:
        return self._by_pair.get((str(source), str(target)))

    def transitions_from(self, state: str) -> list[Transition]:
        found = [t for t in self.transitions if str(t.source) == str(state)]
        return sorted(found, key=lambda t: self._rank.get(str(t.target), len(self._rank)))

    def available_moves(self, state: str, facts: Any, granted: Collection[str]) -> list[Move]:
        """Every move from ``state``: allowed, or blocked with its reasons."""
        return [Move(t, t.reasons(facts, granted)) for t in self.transitions_from(state)]

    def check(
        self,
        source: str,
        target: str,
        facts: Any,
        granted: Collection[str],
        reason: str | None = None,
    ) -> Transition:
        """The transition ``source -> target``, or ``Refused`` with every reason it is blocked.

        ``reason`` is what the person wrote; a transition that ``needs_reason`` refuses a blank one.
        """
        transition = self.transition(source, target)
        if transition is None:
            raise NotAMove(source, target)
        reasons = list(transition.reasons(facts, granted))
        if transition.needs_reason and not (reason or "").strip():
            reasons.append(NEEDS_REASON)
        if reasons:
            raise Refused(source, target, reasons)
        return transition


# --- the database-facing companion ----------------------------------------------------------


def apply(
    session: Session,
    row: Any,
    target: str,
    *,
    expected: str,
    state: str = "stage",
    values: dict[str, Any] | None = None,
) -> bool:
    """Move ``row`` from ``expected`` to ``target`` (with ``values``) in one conditional UPDATE.

    True when this call moved it. False when the row was no longer at ``expected`` (a stale
    page, a double click, another person first): nothing is changed, and ``row`` is refreshed
    so that the caller can say where it is now. Never check-then-act: the database decides.
    """
    mapper = sa.inspect(row).mapper
    model = mapper.class_
    keys = mapper.primary_key_from_instance(row)
    changes = {state: target, **(values or {})}
    result = session.execute(
        sa.update(model)
        .where(*(column == key for column, key in zip(mapper.primary_key, keys, strict=True)))
        .where(getattr(model, state) == expected)
        .values(changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(row)
        return False
    for key, value in changes.items():
        set_committed_value(row, key, value)  # already written: no second UPDATE
    return True


# --- boards: the states as columns ----------------------------------------------------------


@dataclass
class Column:
    """One column of a board: a state, its label, a page of cards, and how many there are.

    ``after`` is the cursor of the next page (None when this page is the last one).
    """

    state: str
    label: Any
    cards: list[Any]
    total: int
    after: str | None = None


@dataclass
class Board:
    """The columns in order, and a version token that changes whenever a card does."""

    columns: list[Column]
    version: str = ""

    def column(self, state: str) -> Column | None:
        return next((c for c in self.columns if str(c.state) == str(state)), None)
