"""What a party's copy of an item holds: the passages kept, and never the ones withheld (13.9,
13.15, 19.3).

Plain Python: it reads no request and no database. A text (meeting notes, a text or email
item of evidence, the sections of the investigation report) is split into numbered passages,
one per paragraph (paragraphs are separated by a blank line). Staff choose the passages to
withhold by their numbers, and may add exact phrases to withhold inside the passages kept.
The original text is never changed: ``shared`` builds a new list from it.

For the responding party, ``sensitive`` finds the passages that repeat a note marked as
about the reporting party's wellbeing or past; they are withheld whatever staff chose, and
``leaks`` is the last check before anything is stored for that party.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACE = re.compile(r"\s+")
#: A passage shorter than this is too common ("Yes.") to be judged a copy of part of a note.
MIN_QUOTED = 12
#: The most passages one item is split into (the form shows one checkbox per passage).
MAX_PASSAGES = 2000


@dataclass(frozen=True)
class Passage:
    number: int  # from 1, across all the sections of the item
    section: str  # the section it belongs to ("" for an item without sections)
    text: str


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of ``text``: separated by a blank line, trimmed, none empty."""
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


def passages(sections: Iterable[tuple[str, str | None]]) -> list[Passage]:
    """Number the paragraphs of each ``(section, text)`` in order, from 1."""
    found: list[Passage] = []
    for section, text in sections:
        for paragraph in paragraphs(text):
            found.append(Passage(len(found) + 1, section, paragraph))
    return found


@dataclass(frozen=True)
class Shared:
    """A party's copy: each passage kept (its text with any phrase withheld), or ``None``
    where one was withheld, in the original order."""

    items: tuple[tuple[Passage, str | None], ...]
    withheld: frozenset[int]

    @property
    def kept(self) -> list[Passage]:
        return [p for p, text in self.items if text is not None]

    def text(self, marker: str) -> str:
        """The copy as plain text: kept passages, and ``marker`` where one was withheld."""
        return "\n\n".join(marker if text is None else text for _p, text in self.items)


def normal(text: str) -> str:
    """For comparing: spaces collapsed, case folded."""
    return _SPACE.sub(" ", text).strip().casefold()


def missing_phrases(found: Sequence[Passage], phrases: Iterable[str]) -> list[str]:
    """The phrases to withhold that appear in no passage (a typo would withhold nothing)."""
    return [ph for ph in phrases if not any(ph in p.text for p in found)]


def shared(found: Sequence[Passage], withheld: Iterable[int], phrases: Iterable[str] = (),
           marker: str = "[…]") -> Shared:
    """The copy for a party: ``withheld`` passages left out, each exact phrase replaced by
    ``marker`` in the passages kept; every other passage exactly as it was."""
    numbers = frozenset(withheld)
    phrases = sorted({ph for ph in phrases if ph}, key=len, reverse=True)
    items = []
    for passage in found:
        if passage.number in numbers:
            items.append((passage, None))
            continue
        text = passage.text
        for phrase in phrases:
            text = text.replace(phrase, marker)
        items.append((passage, text))
    return Shared(tuple(items), numbers & {p.number for p in found})


def _sensitive_parts(notes: Iterable[str]) -> list[str]:
    return [normal(p) for note in notes for p in paragraphs(note)]


def sensitive(found: Sequence[Passage], notes: Iterable[str]) -> frozenset[int]:
    """The passages that repeat a note about the reporting party's wellbeing or past: a
    passage holding one of its paragraphs, or (long enough to tell) quoting part of one."""
    parts = _sensitive_parts(notes)
    if not parts:
        return frozenset()
    hits = set()
    for passage in found:
        text = normal(passage.text)
        if any(part in text for part in parts) or (
                len(text) >= MIN_QUOTED and any(text in part for part in parts)):
            hits.add(passage.number)
    return frozenset(hits)


def leaks(text: str, notes: Iterable[str]) -> bool:
    """True if ``text`` holds any paragraph of these notes: nothing so made is ever stored."""
    haystack = normal(text)
    return any(part in haystack for part in _sensitive_parts(notes))
