"""The EDI pipeline: stages, the explicit set of moves between them, and what blocks a card.

The table is data for the shared workflow core (``hsm.workflow``): each move has its
permission and its guards, keyed on the move itself. Pure Python: callers pass in the facts
about the person and the permissions the actor holds; nothing here reads the request.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from hsm import workflow
from hsm.i18n import _l
from hsm.security import Permission


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


class Blocker(enum.StrEnum):
    EMAIL_NOT_CONFIRMED = "email_not_confirmed"
    NO_LINE_MANAGER_PERMISSION = "no_line_manager_permission"
    CHAT_NOT_RECORDED = "chat_not_recorded"
    TRAINING_NOT_ATTENDED = "training_not_attended"
    BIOGRAPHY_NOT_APPROVED = "biography_not_approved"
    # Asked by the move's form; the workflow core says when it is missing, in its own words.
    REASON_MISSING = workflow.REASON_MISSING


BLOCKER_LABELS = {
    Blocker.EMAIL_NOT_CONFIRMED: _l("Email address not confirmed"),
    Blocker.NO_LINE_MANAGER_PERMISSION: _l("No line manager permission"),
    Blocker.CHAT_NOT_RECORDED: _l("Informal chat not recorded (date and two staff members)"),
    Blocker.TRAINING_NOT_ATTENDED: _l("Induction training not attended"),
    Blocker.BIOGRAPHY_NOT_APPROVED: _l("Biography not approved"),
}


@dataclass(frozen=True)
class Facts:
    """What the pipeline needs to know about one person."""

    email_confirmed: bool
    line_manager_permission: bool
    chat_recorded: bool
    training_attended: bool
    biography_approved: bool


def _unmet(blocker: Blocker, facts: Facts) -> bool:
    return {
        Blocker.EMAIL_NOT_CONFIRMED: not facts.email_confirmed,
        Blocker.NO_LINE_MANAGER_PERMISSION: not facts.line_manager_permission,
        Blocker.CHAT_NOT_RECORDED: not facts.chat_recorded,
        Blocker.TRAINING_NOT_ATTENDED: not facts.training_attended,
        Blocker.BIOGRAPHY_NOT_APPROVED: not facts.biography_approved,
    }[blocker]


def requires(*needed: Blocker) -> workflow.Guard:
    """A guard: the move is blocked by each of ``needed`` that is not met, named in words."""

    def guard(facts: Facts) -> list[workflow.Reason]:
        return [workflow.Reason(b, BLOCKER_LABELS[b]) for b in needed if _unmet(b, facts)]

    return guard


# Every EDI move needs the same permission (at the person's centre).
PERMISSION = Permission.MANAGE_SAFE_CONTACTS

# Forward moves and what each needs. Moving back is never blocked: taking someone off the
# directory, or back a step, must always be possible.
FORWARD: dict[tuple[Stage, Stage], tuple[Blocker, ...]] = {
    (Stage.APPLIED, Stage.CHAT): (Blocker.EMAIL_NOT_CONFIRMED,),
    (Stage.CHAT, Stage.TRAINING): (Blocker.CHAT_NOT_RECORDED,),
    (Stage.TRAINING, Stage.BIOGRAPHY): (Blocker.TRAINING_NOT_ATTENDED,),
    (Stage.BIOGRAPHY, Stage.PUBLISHED): (
        Blocker.EMAIL_NOT_CONFIRMED,
        Blocker.NO_LINE_MANAGER_PERMISSION,
        Blocker.TRAINING_NOT_ATTENDED,
        Blocker.BIOGRAPHY_NOT_APPROVED,
    ),
}
BACK = (
    (Stage.CHAT, Stage.APPLIED),
    (Stage.TRAINING, Stage.CHAT),
    (Stage.BIOGRAPHY, Stage.TRAINING),
    (Stage.PUBLISHED, Stage.BIOGRAPHY),
)

# Every allowed move. Anything else is refused.
WORKFLOW = workflow.Workflow(
    [
        *(workflow.Transition(s, t, PERMISSION, (requires(*n),)) for (s, t), n in FORWARD.items()),
        *(workflow.Transition(s, t, PERMISSION) for s, t in BACK),
        # Anyone still in the scheme can leave it, or not be taken forward; both need a reason.
        *(
            workflow.Transition(stage, side, PERMISSION, needs_reason=True)
            for stage in COLUMNS
            for side in SIDE_STATES
        ),
        # A closed application can be reopened from the start.
        *(workflow.Transition(side, Stage.APPLIED, PERMISSION) for side in SIDE_STATES),
    ],
    order=(*COLUMNS, *SIDE_STATES),
)
TRANSITIONS: frozenset[tuple[Stage, Stage]] = frozenset(
    (Stage(t.source), Stage(t.target)) for t in WORKFLOW.transitions
)


class MoveRefused(workflow.Refused):
    """A move that is not in the transition set, or whose requirements are not met."""

    @property
    def current(self) -> str:
        return self.source

    @property
    def blockers(self) -> tuple[Blocker, ...]:
        """The reasons as the scheme names them (empty: not a move from this stage at all)."""
        return tuple(Blocker(r.code) for r in self.reasons if r.code in _CODES)


_CODES = {str(b) for b in Blocker}


def is_allowed(current: Stage | str, target: Stage | str) -> bool:
    """Whether ``current -> target`` is one of the moves at all."""
    return WORKFLOW.transition(current, target) is not None


def check_move(
    current: Stage | str,
    target: Stage | str,
    facts: Facts,
    reason: str = "",
    *,
    granted: Collection[str],
) -> workflow.Transition:
    """The move, or ``MoveRefused`` unless it is allowed, permitted and its requirements met."""
    try:
        return WORKFLOW.check(current, target, facts, granted, reason)
    except workflow.Refused as refused:
        raise MoveRefused(refused.source, refused.target, refused.reasons) from None


def available_moves(current: Stage | str, facts: Facts, granted: Collection[str]):
    """Every move from ``current``, allowed or blocked with its reasons, in board order."""
    return WORKFLOW.available_moves(current, facts, granted)


def moves_from(current: Stage | str, facts: Facts, granted: Collection[str]) -> list[Stage]:
    """The stages a card may be moved to now, in board order (side states last).

    Only moves that would be made: a blocked one is shown with its reasons instead
    (``available_moves``). A move into a side state is offered; its form asks the reason.
    """
    return [Stage(m.target) for m in available_moves(current, facts, granted) if m.allowed]


def blockers(stage: Stage | str, facts: Facts) -> list[Blocker]:
    """What stands between this card and publication, from where it is now."""
    stage = Stage(stage)
    if stage in SIDE_STATES:
        return []
    if stage is Stage.PUBLISHED:
        needed: tuple[Blocker, ...] = FORWARD[(Stage.BIOGRAPHY, Stage.PUBLISHED)]
    else:
        # Every forward move still ahead, from this stage to publication.
        ahead = list(FORWARD.values())[COLUMNS.index(stage) :]
        needed = tuple(dict.fromkeys(b for bs in ahead for b in bs))
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
