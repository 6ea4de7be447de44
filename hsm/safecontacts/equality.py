"""Equality monitoring: the questions, and totals with small numbers suppressed.

Answers are only ever counted; a count under ``THRESHOLD`` is shown as "fewer than 5". When a
question has exactly one such cell, the next smallest is hidden too, so that it cannot be
worked out from the total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hsm.i18n import _l

THRESHOLD = 5
PREFER_NOT = "prefer_not_to_say"
NOT_ANSWERED = ""

QUESTIONS: dict[str, tuple[object, tuple[tuple[str, object], ...]]] = {
    "gender": (
        _l("Which best describes your gender?"),
        (
            ("woman", _l("Woman")),
            ("man", _l("Man")),
            ("non_binary", _l("Non-binary")),
            ("another", _l("In another way")),
        ),
    ),
    "ethnic_group": (
        _l("Your ethnic group"),
        (
            ("asian", _l("Asian or Asian heritage")),
            ("black", _l("Black, African or Caribbean heritage")),
            ("mixed", _l("Mixed or multiple ethnic groups")),
            ("white", _l("White")),
            ("arab", _l("Arab")),
            ("another", _l("Another ethnic group")),
        ),
    ),
    "disability": (
        _l("Do you consider yourself to have a disability?"),
        (("yes", _l("Yes")), ("no", _l("No"))),
    ),
    "sexual_orientation": (
        _l("Your sexual orientation"),
        (
            ("bisexual", _l("Bisexual")),
            ("gay_lesbian", _l("Gay or lesbian")),
            ("heterosexual", _l("Heterosexual or straight")),
            ("another", _l("In another way")),
        ),
    ),
    "religion": (
        _l("Your religion or belief"),
        (
            ("none", _l("No religion or belief")),
            ("buddhist", _l("Buddhist")),
            ("christian", _l("Christian")),
            ("hindu", _l("Hindu")),
            ("jewish", _l("Jewish")),
            ("muslim", _l("Muslim")),
            ("sikh", _l("Sikh")),
            ("another", _l("Another religion or belief")),
        ),
    ),
}

PREFER_NOT_LABEL = _l("Prefer not to say")
NOT_ANSWERED_LABEL = _l("Not answered")


def codes_for(question: str) -> tuple[str, ...]:
    """Every stored value a question allows (not answered, the answers, prefer not to say)."""
    return (NOT_ANSWERED, *(code for code, _label in QUESTIONS[question][1]), PREFER_NOT)


@dataclass(frozen=True)
class Cell:
    code: str
    label: object
    count: int | None  # None: suppressed


@dataclass(frozen=True)
class QuestionSummary:
    question: str
    title: object
    cells: tuple[Cell, ...]


def suppress(counts: Mapping[str, int], threshold: int = THRESHOLD) -> dict[str, int | None]:
    """Hide counts under ``threshold``; if only one is hidden, hide the next smallest too."""
    shown: dict[str, int | None] = {
        code: (n if n >= threshold else None) for code, n in counts.items()
    }
    hidden = [code for code, n in shown.items() if n is None]
    if len(hidden) == 1:
        visible = sorted((n, code) for code, n in counts.items() if shown[code] is not None)
        if visible:
            shown[visible[0][1]] = None
    return shown


def summarise(
    answers: Iterable[Mapping[str, str | None]],
) -> tuple[int | None, list[QuestionSummary]]:
    """Totals per answer for every question, suppressed. Unknown values are not counted."""
    rows = list(answers)
    summaries = []
    for question, (title, choices) in QUESTIONS.items():
        allowed = codes_for(question)
        counts = Counter({code: 0 for code in allowed})
        for row in rows:
            value = row.get(question) or NOT_ANSWERED
            if value in counts:
                counts[value] += 1
        shown = suppress(counts)
        labels = {NOT_ANSWERED: NOT_ANSWERED_LABEL, PREFER_NOT: PREFER_NOT_LABEL, **dict(choices)}
        cells = tuple(Cell(code, labels[code], shown[code]) for code in allowed)
        summaries.append(QuestionSummary(question, title, cells))
    total = len(rows) if len(rows) >= THRESHOLD else None
    return total, summaries
