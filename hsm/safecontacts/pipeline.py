"""The EDI pipeline: stages, the explicit set of moves between them, and what blocks a card.

Pure Python: callers pass in the facts about the person; nothing here reads the request.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hsm.i18n import _l


class Stage(enum.StrEnum):
    APPLIED = "applied"
    CHAT = "chat"
    TRAINING = "training"
    BIOGRAPHY = "biography"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    NOT_PROGRESSED = "not_progressed"


COLUMNS = (Stage.APPLIED, Stage.CHAT, Stage.TRAINING, Stage.BIOGRAPHY, Stage.PUBLISHED)
SIDE_STATES = (Stage.WITHDRAWN, Stage.NOT_PROGRESSED)

STAGE_LABELS = {
    Stage.APPLIED: _l("Applied"),
    Stage.CHAT: _l("Informal chat"),
    Stage.TRAINING: _l("Induction training"),
    Stage.BIOGRAPHY: _l("Biography"),
    Stage.PUBLISHED: _l("Published"),
    Stage.WITHDRAWN: _l("Withdrawn"),
    Stage.NOT_PROGRESSED: _l("Not progressed"),
}

# Every allowed move. Anything else is refused.
TRANSITIONS: frozenset[tuple[Stage, Stage]] = frozenset(
    {
        (Stage.APPLIED, Stage.CHAT),
        (Stage.CHAT, Stage.TRAINING),
        (Stage.CHAT, Stage.APPLIED),
        (Stage.TRAINING, Stage.BIOGRAPHY),
        (Stage.TRAINING, Stage.CHAT),
        (Stage.BIOGRAPHY, Stage.PUBLISHED),
        (Stage.BIOGRAPHY, Stage.TRAINING),
        (Stage.PUBLISHED, Stage.BIOGRAPHY),
        # Anyone still in the scheme can leave it, or not be taken forward; both need a reason.
        *((stage, side) for stage in COLUMNS for side in SIDE_STATES),
        # A closed application can be reopened from the start.
        (Stage.WITHDRAWN, Stage.APPLIED),
        (Stage.NOT_PROGRESSED, Stage.APPLIED),
    }
)


class Blocker(enum.StrEnum):
    EMAIL_NOT_CONFIRMED = "email_not_confirmed"
    NO_LINE_MANAGER_PERMISSION = "no_line_manager_permission"
    CHAT_NOT_RECORDED = "chat_not_recorded"
    TRAINING_NOT_ATTENDED = "training_not_attended"
    BIOGRAPHY_NOT_APPROVED = "biography_not_approved"
    REASON_MISSING = "reason_missing"


BLOCKER_LABELS = {
    Blocker.EMAIL_NOT_CONFIRMED: _l("Email address not confirmed"),
    Blocker.NO_LINE_MANAGER_PERMISSION: _l("No line manager permission"),
    Blocker.CHAT_NOT_RECORDED: _l("Informal chat not recorded (date and two staff members)"),
    Blocker.TRAINING_NOT_ATTENDED: _l("Induction training not attended"),
    Blocker.BIOGRAPHY_NOT_APPROVED: _l("Biography not approved"),
    Blocker.REASON_MISSING: _l("A reason is needed"),
}


@dataclass(frozen=True)
class Facts:
    """What the pipeline needs to know about one person."""

    email_confirmed: bool
    line_manager_permission: bool
    chat_recorded: bool
    training_attended: bool
    biography_approved: bool


# What must be true before a card may enter a stage.
ENTRY_REQUIREMENTS: dict[Stage, tuple[Blocker, ...]] = {
    Stage.CHAT: (Blocker.EMAIL_NOT_CONFIRMED,),
    Stage.TRAINING: (Blocker.CHAT_NOT_RECORDED,),
    Stage.BIOGRAPHY: (Blocker.TRAINING_NOT_ATTENDED,),
    Stage.PUBLISHED: (
        Blocker.EMAIL_NOT_CONFIRMED,
        Blocker.NO_LINE_MANAGER_PERMISSION,
        Blocker.TRAINING_NOT_ATTENDED,
        Blocker.BIOGRAPHY_NOT_APPROVED,
    ),
}


def _unmet(blocker: Blocker, facts: Facts) -> bool:
    return {
        Blocker.EMAIL_NOT_CONFIRMED: not facts.email_confirmed,
        Blocker.NO_LINE_MANAGER_PERMISSION: not facts.line_manager_permission,
        Blocker.CHAT_NOT_RECORDED: not facts.chat_recorded,
        Blocker.TRAINING_NOT_ATTENDED: not facts.training_attended,
        Blocker.BIOGRAPHY_NOT_APPROVED: not facts.biography_approved,
        Blocker.REASON_MISSING: False,
    }[blocker]


class MoveRefused(ValueError):
    """A move that is not in the transition set, or whose requirements are not met."""

    def __init__(self, current: str, target: str, blockers: tuple[Blocker, ...] = ()):
        self.current, self.target, self.blockers = current, target, blockers
        super().__init__(f"{current} -> {target} refused: {', '.join(blockers) or 'not allowed'}")


def is_allowed(current: Stage | str, target: Stage | str) -> bool:
    """Whether ``current -> target`` is one of the moves at all."""
    try:
        return (Stage(current), Stage(target)) in TRANSITIONS
    except ValueError:
        return False


def check_move(current: Stage | str, target: Stage | str, facts: Facts, reason: str = "") -> None:
    """Raise ``MoveRefused`` unless the move is allowed and its requirements are met."""
    if not is_allowed(current, target):
        raise MoveRefused(str(current), str(target))
    current, target = Stage(current), Stage(target)
    unmet = [b for b in ENTRY_REQUIREMENTS.get(target, ()) if _unmet(b, facts)]
    if target in SIDE_STATES and not reason.strip():
        unmet.append(Blocker.REASON_MISSING)
    if unmet:
        raise MoveRefused(current, target, tuple(unmet))


def moves_from(current: Stage | str) -> list[Stage]:
    """The stages a card may be moved to, in board order (side states last)."""
    order = (*COLUMNS, *SIDE_STATES)
    return [s for s in order if is_allowed(current, s)]


def blockers(stage: Stage | str, facts: Facts) -> list[Blocker]:
    """What stands between this card and publication, from where it is now."""
    stage = Stage(stage)
    if stage in SIDE_STATES:
        return []
    if stage is Stage.PUBLISHED:
        needed: tuple[Blocker, ...] = ENTRY_REQUIREMENTS[Stage.PUBLISHED]
    else:
        later = COLUMNS[COLUMNS.index(stage) + 1 :]
        needed = tuple(dict.fromkeys(b for s in later for b in ENTRY_REQUIREMENTS.get(s, ())))
    # Only name the biography once the person is at the biography stage.
    if stage in (Stage.APPLIED, Stage.CHAT, Stage.TRAINING):
        needed = tuple(b for b in needed if b is not Blocker.BIOGRAPHY_NOT_APPROVED)
    # The chat is only a blocker while it is still ahead or underway.
    if stage not in (Stage.APPLIED, Stage.CHAT):
        needed = tuple(b for b in needed if b is not Blocker.CHAT_NOT_RECORDED)
    # Training is only shown as missing once its date has come (the induction stage).
    if stage in (Stage.APPLIED, Stage.CHAT):
        needed = tuple(b for b in needed if b is not Blocker.TRAINING_NOT_ATTENDED)
    return [b for b in needed if _unmet(b, facts)]
