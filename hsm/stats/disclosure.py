"""Disclosure control for published statistics: primary and secondary suppression.

Plain code: it takes counts and the sums that tie them together, and says which counts may be
shown. It reads no request and no database.

- **Primary suppression.** A count from 1 to ``THRESHOLD - 1`` is never shown: it reads
  "fewer than 5". Zero is shown as 0.
- **Secondary suppression.** The counts published together are tied by sums (a table's total
  is the sum of its rows; the group is the sum of its centres; a term is the sum of its
  months, a year the sum of its terms). Each sum is a ``Sum(total, parts)``. A hidden count
  could be worked out whenever the published counts and the sums pin it down: in the simplest
  case, a sum with exactly one hidden member (subtract the shown parts from the shown total).
  ``protect`` then hides more counts, the smallest first, until no hidden count is pinned
  down by any combination of the sums, across every linked table and period at once (exact
  linear algebra on the hidden counts, one connected group at a time).
- **Rates and medians** computed from fewer than ``THRESHOLD`` cases are not shown
  (``rate``/``median_of``).

The result of ``protect`` is what gets stored: a hidden count is never stored at all.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5

Key = Hashable


class State(enum.StrEnum):
    SHOWN = "shown"
    FEWER = "fewer"  # primary: 1 to THRESHOLD - 1, shown as "fewer than 5"
    HIDDEN = "hidden"  # secondary: hidden so that a small count cannot be worked out


@dataclass(frozen=True)
class Sum:
    """``total`` is the sum of ``parts`` (every key a count of the same publication)."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Cell:
    state: State
    value: int | None  # None unless shown

    @property
    def shown(self) -> bool:
        return self.state is State.SHOWN


def primary(values: Mapping[Key, int], threshold: int = THRESHOLD) -> set[Key]:
    """The counts from 1 to ``threshold - 1``."""
    return {key for key, value in values.items() if 0 < value < threshold}


def _order(values: Mapping[Key, int], key: Key) -> tuple:
    # Smallest first, non-zero before zero (a hidden zero protects as well, but a shown zero
    # is the most useful figure to keep), then a stable order.
    value = values[key]
    return (value == 0, value, repr(key))


def _cover(values: Mapping[Key, int], hidden: set[Key], sums: Sequence[Sum], target: Key) -> Key:
    """The cell to hide next so that ``target`` is no longer pinned down: the smallest shown
    member of a sum that holds ``target`` (parts before totals)."""
    around = {target}
    while True:
        near = [s for s in sums if around.intersection(s.members)]
        candidates = _candidates(values, hidden, near)
        if candidates:
            break
        wider = around | {k for s in near for k in s.members}
        if wider == around:
            raise ValueError(f"nothing left to hide around {target!r}")
        around = wider
    candidates.sort(key=lambda c: c[:-1])
    return candidates[0][-1]


def _candidates(values, hidden: set[Key], sums: Sequence[Sum]) -> list[tuple]:
    candidates: list[tuple] = []
    for s in sums:
        for key in s.parts:
            if key not in hidden:
                candidates.append((0, *_order(values, key), key))
        if s.total not in hidden:
            candidates.append((1, *_order(values, s.total), s.total))
    return candidates


def _single_pass(values, hidden: set[Key], sums: Sequence[Sum]) -> bool:
    """Hide more where one sum has exactly one hidden member. True if anything changed."""
    changed = False
    again = True
    while again:
        again = False
        for s in sums:
            inside = [k for k in s.members if k in hidden]
            if len(inside) == 1:
                hidden.add(_cover(values, hidden, [s], inside[0]))
                changed = again = True
    return changed


def determined(hidden: Iterable[Key], sums: Sequence[Sum]) -> set[Key]:
    """The hidden keys whose value follows from the shown counts and the sums.

    Each sum is a linear equation; on the hidden counts it reads (sum of hidden parts) -
    (hidden total, if hidden) = a known number. A hidden count is pinned down exactly when its
    unit vector lies in the row space of those equations: in the reduced row echelon form,
    some row is that unit vector.
    """
    hidden = set(hidden)
    rows: list[dict[Key, int]] = []
    for s in sums:
        row: dict[Key, int] = defaultdict(int)
        for key in s.parts:
            if key in hidden:
                row[key] += 1
        if s.total in hidden:
            row[s.total] -= 1
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    # Connected groups of hidden keys (keys that share an equation), solved one by one.
    parent: dict[Key, Key] = {k: k for k in hidden}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for row in rows:
        keys = list(row)
        for other in keys[1:]:
            a, b = find(keys[0]), find(other)
            if a != b:
                parent[a] = b
    groups: dict[Key, list[dict[Key, int]]] = defaultdict(list)
    for row in rows:
        groups[find(next(iter(row)))].append(row)
    found: set[Key] = set()
    for group_rows in groups.values():
        found |= _pinned(group_rows)
    return found


#: Arithmetic modulo a large prime: exact for these small integer systems (entries are 0, 1
#: and -1), and far quicker than Fractions on the few thousand counts of a snapshot.
_PRIME = 2**61 - 1


def _subtract(target: dict[int, int], row: dict[int, int], factor: int) -> None:
    """target -= factor * row (sparse, modulo the prime)."""
    for c, v in row.items():
        value = (target.get(c, 0) - factor * v) % _PRIME
        if value:
            target[c] = value
        else:
            target.pop(c, None)


def _pinned(rows: list[dict[Key, int]]) -> set[Key]:
    """Keys pinned down by the equations ``rows`` (sparse), by Gauss-Jordan elimination."""
    order = {k: i for i, k in enumerate(sorted({k for row in rows for k in row}, key=repr))}
    basis: dict[int, dict[int, int]] = {}  # pivot column -> row with 1 at the pivot
    for row in rows:
        vector = {order[k]: v % _PRIME for k, v in row.items() if v % _PRIME}
        while vector:
            column = min(vector)
            pivot = basis.get(column)
            if pivot is None:
                inverse = pow(vector[column], _PRIME - 2, _PRIME)
                vector = {c: v * inverse % _PRIME for c, v in vector.items()}
                basis[column] = vector
                break
            _subtract(vector, pivot, vector[column])
    # Back substitution, from the last pivot to the first: reduced row echelon form.
    for column in sorted(basis, reverse=True):
        row = basis[column]
        for other_column, other in basis.items():
            if other_column != column and column in other:
                _subtract(other, row, other[column])
    keys = {i: k for k, i in order.items()}
    return {keys[column] for column, row in basis.items() if len(row) == 1}


def protect(values: Mapping[Key, int], sums: Iterable[Sum],
            threshold: int = THRESHOLD) -> dict[Key, Cell]:
    """Every count of one publication, with what may be shown of it.

    Every key named by a sum must be in ``values``. Primary suppression first, then secondary
    suppression until no hidden count can be worked out from the shown ones and the sums.
    """
    sums = [s for s in sums if s.parts]
    for s in sums:
        for key in s.members:
            if key not in values:
                raise KeyError(f"a sum names {key!r}, which has no count")
    first = primary(values, threshold)
    hidden = set(first)
    while True:
        _single_pass(values, hidden, sums)
        pinned = determined(hidden, sums)
        if not pinned:
            break
        # One cover for each pinned count, smallest first, then everything is checked again.
        for target in sorted(pinned, key=lambda k: _order(values, k)):
            if not hidden.issuperset(k for s in sums if target in s.members for k in s.members):
                hidden.add(_cover(values, hidden, sums, target))
    return {
        key: Cell(State.FEWER, None) if key in first
        else Cell(State.HIDDEN, None) if key in hidden
        else Cell(State.SHOWN, int(value))
        for key, value in values.items()
    }


def rate(numerator: int, denominator: int, threshold: int = THRESHOLD) -> float | None:
    """A share in percent, or None when it would rest on fewer than ``threshold`` cases."""
    if denominator < threshold:
        return None
    return round(100 * numerator / denominator, 1)


def median_of(counts: Mapping[float, int], threshold: int = THRESHOLD) -> float | None:
    """The median of values given with how often each occurs; None under ``threshold``."""
    n = sum(counts.values())
    if n < threshold:
        return None
    ordered = sorted((v, c) for v, c in counts.items() if c > 0)

    def nth(position: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        raise IndexError(position)

    if n % 2:
        return float(nth(n // 2))
    return (nth(n // 2 - 1) + nth(n // 2)) / 2
