"""A year of history for the statistics: closed reports and cases at every centre, in bulk.

``flask hsm demo`` adds it once (the demo's published snapshot then has real charts and some
suppressed cells); the benchmark uses the same code at 100,000 reports and 50,000 cases.
Every row is fictional, made from a seeded random generator, and inserted in batches (the
narratives are one fixed sentence). Nothing here reads a request.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from hsm.cases.models import Case, CaseParty, Deadline, Measure
from hsm.cases.terms import (
    STAGES,
    Channel,
    ClosureReason,
    DeadlineKind,
    DeadlineStatus,
    MeasureKind,
    MeasureStatus,
    Stage,
)
from hsm.extensions import db
from hsm.letters.models import Outcome, Sanction
from hsm.letters.terms import Finding, SanctionKind
from hsm.reports import rules
from hsm.reports.models import Report
from hsm.stats import snapshot as plan

#: Marks the history's rows (references), so that the demo adds them once.
PREFIX = "H"
NARRATIVE = "Fictional history for the statistics demo."


def report_row(n: int, centre: str, received_at: datetime, **answers) -> dict:
    """The columns of one closed, fictional report; ``answers`` override the defaults."""
    row = {
        "reference": f"{PREFIX}R-{n:09d}", "centre": centre, "lookup_id": f"_{n:07d}",
        "secret_hash": "-", "status": rules.Status.CLOSED, "urgency": rules.Urgency.ROUTINE,
        "received_at": received_at, "acknowledged_at": None, "anonymous": False,
        "third_party": False, "anonymity_reason": None, "about": "me",
        "categories": ["harassment"], "narrative": NARRATIVE, "when_kind": "ongoing",
        "where": "on_campus", "respondent": "student", "wishes": ["support"],
        "consent_earlier_notes": "not_applicable",
    }
    row.update(answers)
    row["third_party"] = row["about"] == "someone_else"
    row["staff_respondent"] = row["respondent"] == "staff"
    return row


def case_row(n: int, centre: str, opened_at: datetime, **values) -> dict:
    row = {"reference": f"{PREFIX}C-{n:09d}", "centre": centre, "stage": Stage.CLOSED,
           "stage_changed_at": opened_at, "opened_at": opened_at, "disclosure_channel": None,
           "closed_at": None, "closure_reason": None}
    row.update(values)
    return row


def insert(model, rows: list[dict], batch: int = 2000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(sa.insert(model), rows[start:start + batch])


def _ids_by_reference(references: Iterable[str]) -> dict[str, int]:
    references = list(references)
    found: dict[str, int] = {}
    for start in range(0, len(references), 2000):
        chunk = references[start:start + 2000]
        found.update(db.session.execute(
            sa.select(Case.reference, Case.id).where(Case.reference.in_(chunk))).all())
    return found


def _moment(rng: random.Random, month: str) -> datetime:
    first = plan.month_start(month)
    return datetime(first.year, first.month, rng.randint(1, 28), rng.randint(8, 17),
                    tzinfo=UTC)


def history(through: date, *, reports: int, cases: int, centres: list[str],
            seed: int = 12, first: int = 1_000_000) -> None:
    """Fictional reports and cases spread over the academic year up to ``through``, numbered
    from ``first``."""
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not a secret
    months = list(plan.periods_through(through)[0].months)
    weights = {c: w for c, w in zip(centres, (5, 3, 2, 1, 1, 1), strict=False)}
    centre_choices = [c for c in centres for _ in range(weights.get(c, 1))]
    rows = []
    for n in range(reports):
        month = rng.choice(months)
        received = _moment(rng, month)
        anonymous = rng.random() < 0.3
        rows.append(report_row(
            first + n, rng.choice(centre_choices), received,
            acknowledged_at=received + timedelta(days=rng.choice((0, 1, 1, 2, 3, 4, 6))),
            anonymous=anonymous,
            anonymity_reason=rng.choice(rules.ANONYMITY_REASONS) if anonymous else None,
            about=rng.choices(("me", "someone_else"), (4, 1))[0],
            categories=rng.sample(rules.CATEGORIES[2:7], rng.choice((1, 1, 2))),
            where=rng.choices(rules.WHERE, (5, 3, 3, 1))[0],
            respondent=rng.choices(rules.RESPONDENTS, (8, 1, 1, 1, 2, 3))[0],
            when_kind=rng.choices(rules.WHEN_KINDS, (6, 3, 2, 1))[0],
        ))
    insert(Report, rows)

    case_rows, extras = [], []
    stages = [s for s in STAGES if s is not Stage.CLOSED]
    for n in range(cases):
        opened = _moment(rng, rng.choice(months))
        closed = rng.random() < 0.45
        values = {}
        if rng.random() < 0.4:
            values["disclosure_channel"] = rng.choices(list(Channel), (4, 3, 2, 2, 1, 1, 1, 1))[0]
        if closed:
            reason = rng.choices((ClosureReason.SUPPORT_ONLY, ClosureReason.DISMISSED_WITH_SUPPORT,
                                  ClosureReason.INFORMAL_RESOLUTION, ClosureReason.OUTCOME_ISSUED),
                                 (5, 2, 2, 2))[0]
            values.update(stage=Stage.CLOSED, closure_reason=reason,
                          closed_at=min(opened + timedelta(days=rng.randint(10, 60)),
                                        datetime.combine(plan.month_start(months[-1]),
                                                         datetime.min.time(), UTC)
                                        + timedelta(days=27)))
        else:
            values["stage"] = rng.choices(stages, (3, 5, 2, 2, 2, 2, 1, 1, 1))[0]
        row = case_row(first + n, rng.choice(centre_choices), opened, **values)
        case_rows.append(row)
        extras.append((row, closed, values.get("closure_reason")))
    insert(Case, case_rows)
    ids = _ids_by_reference(r["reference"] for r in case_rows)
    _case_details(rng, ids, extras, through)


def _case_details(rng: random.Random, ids: dict[str, int], extras, through: date) -> None:
    """Responding parties with measures, outcomes with sanctions, and deadlines."""
    end = plan.month_start(plan.month_key(through)) + timedelta(days=27)
    parties, measures, outcomes, deadlines = [], [], [], []
    with_measures = []
    for row, _closed, reason in extras:
        case_id = ids[row["reference"]]
        opened = row["opened_at"].date()
        if rng.random() < 0.3:
            parties.append({"case_id": case_id, "role": "responding", "party_type": "student",
                            "identity_known": True, "preferred_language": "en",
                            "added_at": row["opened_at"]})
            with_measures.append((case_id, opened))
        if reason == ClosureReason.OUTCOME_ISSUED:
            decided = min(opened + timedelta(days=rng.randint(20, 50)), end)
            outcomes.append({"case_id": case_id, "finding": rng.choice(list(Finding)),
                             "reasons": NARRATIVE, "decided_on": decided,
                             "recorded_at": row["opened_at"]})
        for kind in (DeadlineKind.MEASURE_REVIEW, DeadlineKind.COMPLETION_LETTER,
                     DeadlineKind.REVIEW_ACKNOWLEDGEMENT):
            if rng.random() < 0.35:
                due = min(opened + timedelta(days=rng.randint(5, 40)), end)
                deadlines.append({"case_id": case_id, "kind": kind, "due_on": due,
                                  "status": rng.choices((DeadlineStatus.MET, DeadlineStatus.MISSED),
                                                        (5, 1))[0],
                                  "created_at": row["opened_at"]})
    insert(CaseParty, parties)
    insert(Deadline, deadlines)
    party_ids = dict(db.session.execute(
        sa.select(CaseParty.case_id, CaseParty.id).where(
            CaseParty.case_id.in_([c for c, _ in with_measures[:30000]]),
            CaseParty.role == "responding")).all()) if with_measures else {}
    for case_id, opened in with_measures:
        if case_id not in party_ids:
            continue
        lifted = opened + timedelta(days=rng.randint(20, 120)) if rng.random() < 0.5 else None
        measures.append({
            "case_id": case_id, "party_id": party_ids[case_id],
            "kind": rng.choices(list(MeasureKind), (6, 2, 2, 2, 1, 1, 2, 1, 1, 1, 1, 1))[0],
            "interim": False, "status": MeasureStatus.LIFTED if lifted else MeasureStatus.ACTIVE,
            "starts_on": opened, "lifted_on": lifted, "set_at": datetime.now(UTC)})
    insert(Measure, measures)
    insert(Outcome, outcomes)
    if outcomes:
        outcome_ids = db.session.scalars(
            sa.select(Outcome.id).join(Case, Case.id == Outcome.case_id)
            .where(Case.reference.like(f"{PREFIX}C-%")).order_by(Outcome.id)).all()
        sanctions = [{"outcome_id": i, "kind": rng.choices(list(SanctionKind),
                                                           (1, 1, 3, 4, 2, 2, 1, 1, 1, 1))[0],
                      "affects_reporting_party": False}
                     for i in outcome_ids if rng.random() < 0.8]
        insert(Sanction, sanctions)


def loaded() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Report)
                             .where(Report.reference.like(f"{PREFIX}R-%"))) > 0


def load(now: datetime | None = None) -> bool:
    """The demo's history and its published snapshot (through the last complete month).

    Idempotent: the history is added once, and a month is published once. Returns True when
    a snapshot was published now.
    """
    from hsm.centres.registry import all_centres
    from hsm.stats import operations, queries

    now = now or datetime.now(UTC)
    through = operations.last_complete_month(now)
    if not loaded():
        history(through, reports=600, cases=260, centres=[c.slug for c in all_centres()])
    newest = queries.latest()
    if newest is not None and newest.through >= through:
        return False
    operations.publish(None, through, trigger="schedule", now=now)
    return True
