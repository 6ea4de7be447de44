"""Commitments: who missed a termly meeting or a supervision session they were due at."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

KINDS = ("termly_meeting", "supervision")


@dataclass(frozen=True)
class MeetingFacts:
    id: int
    kind: str
    held_on: date
    attendee_ids: frozenset[int]


def missed_meetings(
    members: Iterable[tuple[int, date]], meetings: Iterable[MeetingFacts], since: date
) -> dict[int, list[MeetingFacts]]:
    """For each member (id, date they joined), the meetings since ``since`` they missed.

    A meeting held before someone joined is not counted against them.
    """
    meetings = sorted((m for m in meetings if m.held_on >= since), key=lambda m: m.held_on)
    missed: dict[int, list[MeetingFacts]] = {}
    for member_id, joined_on in members:
        gaps = [m for m in meetings if m.held_on >= joined_on and member_id not in m.attendee_ids]
        if gaps:
            missed[member_id] = gaps
    return missed
