"""A bounded, thread-safe, per-process cache of what a published snapshot renders to.

A published snapshot never changes, so neither does its chart or its page in one language:
drawing or rendering one costs milliseconds to hundreds of milliseconds, reading it again
nothing. Keys always name the snapshot; nothing sensitive is ever kept (the figures are
already suppressed, and no user's token or name is part of a cached value).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class SnapshotCache:
    """The last ``size`` values, by key; ``get`` computes a missing one with ``make``."""

    def __init__(self, size: int = 256):
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
