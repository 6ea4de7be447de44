"""Equality monitoring: the questions, and totals with small numbers suppressed.

Answers are only ever counted, and only at the moment a statistics snapshot is published
(``hsm.stats``): the EDI office sees the totals of the last published snapshot, never a live
count that moves with one application. A count under ``THRESHOLD`` is shown as "fewer than
5", and more counts are hidden wherever one could be worked out from the total
(``hsm.stats.disclosure``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hsm.i18n import _l
from hsm.stats import disclosure

THRESHOLD = disclosure.THRESHOLD
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
    count: int | None  # None: not shown
    state: str = disclosure.State.SHOWN


@dataclass(frozen=True)
class QuestionSummary:
    question: str
    title: object
    cells: tuple[Cell, ...]


def protected(answers: Iterable[Mapping[str, str | None]]) -> dict:
    """The totals per answer of every question, suppressed as one linked publication (every
    question adds up to the same number of responses), in the form a statistics snapshot
    stores. Unknown values are not counted."""
    rows = list(answers)
    values: dict[tuple[str, str], int] = {("total", ""): len(rows)}
    sums = []
    for question in QUESTIONS:
        allowed = codes_for(question)
        counts = Counter({code: 0 for code in allowed})
        for row in rows:
            value = row.get(question) or NOT_ANSWERED
            if value in counts:
                counts[value] += 1
        values.update({(question, code): n for code, n in counts.items()})
        # Unknown values are left out, so the answers add up to the total only without them.
        if sum(counts.values()) == len(rows):
            sums.append(disclosure.Sum(("total", ""), tuple((question, c) for c in allowed)))
    cells = disclosure.protect(values, sums, THRESHOLD)
    stored: dict = {"total": [str(cells[("total", "")].state), cells[("total", "")].value],
                    "questions": {}}
    for (question, code), cell in cells.items():
        if question != "total":
            stored["questions"].setdefault(question, {})[code] = [str(cell.state), cell.value]
    return stored


def summary_from(stored: Mapping | None) -> tuple[Cell | None, list[QuestionSummary]]:
    """The stored summary of a snapshot, labelled for the page (None: nothing published)."""
    if not stored:
        return None, []
    state, value = stored["total"]
    total = Cell("", "", value, state)
    summaries = []
    for question, (title, choices) in QUESTIONS.items():
        labels = {NOT_ANSWERED: NOT_ANSWERED_LABEL, PREFER_NOT: PREFER_NOT_LABEL, **dict(choices)}
        answers = stored["questions"].get(question, {})
        cells = tuple(Cell(code, labels[code], answers[code][1], answers[code][0])
                      for code in codes_for(question) if code in answers)
        summaries.append(QuestionSummary(question, title, cells))
    return total, summaries
