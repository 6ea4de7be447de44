"""The case boards and a case page at 50,000 cases (issue 10's performance section).

Run this section alone with ``python -m tests.bench.cases`` (BENCH_SECONDS and
BENCH_DATABASE_URL as for ``python -m tests.bench``).

Cases are written in bulk (a few INSERTs of many rows each), across the four centres: one in
ten is open, spread over the open stages, each with a reporting and a responding party, a
caseworker for each and an open deadline; the rest are closed with a reason. Closed cases sit
in their own column, which pages itself, so a board never renders thousands of cards.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from hsm.cases.models import Case, CaseParty, CaseworkerAssignment, Deadline
from hsm.cases.terms import OPEN_STAGES, ClosureReason, DeadlineKind, PartyRole, Stage
from hsm.extensions import db
from tests.bench.areas import staff_cookie
from tests.bench.harness import Scenario
from tests.factories import make_user

CENTRES = ("uk", "amsterdam", "ireland", "paris")
OPEN_EVERY = 10  # 5,000 open of 50,000
BATCH = 5_000
BOARD_TARGET = 0.1
_serial = itertools.count(1)


def add_cases(app: Flask, n: int) -> int:
    """Write ``n`` cases; return the id of an open case at uk (for the case page)."""
    with app.app_context():
        caseworkers = {c: (make_user(("student_services", c)).id,
                           make_user(("student_services", c)).id) for c in CENTRES}
        now = datetime.now(UTC)
        open_uk = None
        for start in range(0, n, BATCH):
            rows, opened = [], []
            for i in range(start, min(n, start + BATCH)):
                serial = next(_serial)
                centre = CENTRES[serial % len(CENTRES)]
                is_open = serial % OPEN_EVERY == 0
                stage = OPEN_STAGES[(serial // OPEN_EVERY) % len(OPEN_STAGES)] if is_open \
                    else Stage.CLOSED
                when = now - timedelta(minutes=i)
                rows.append({
                    "reference": f"B-{serial:07d}", "centre": centre, "stage": stage,
                    "stage_changed_at": when, "opened_at": when - timedelta(days=30),
                    "version": 1, "immediate_danger": serial % 97 == 0,
                    "under_18": serial % 89 == 0, "staff_respondent": serial % 31 == 0,
                    "anonymous": serial % 7 == 0, "third_party": serial % 13 == 0,
                    "police_hold": False, "paused": False,
                    "closure_reason": None if is_open else ClosureReason.SUPPORT_ONLY,
                    "closed_at": None if is_open else when,
                })
            ids = db.session.scalars(
                sa.insert(Case).returning(Case.id, sort_by_parameter_order=True), rows
            ).all()
            for case_id, row in zip(ids, rows, strict=True):
                if row["stage"] != Stage.CLOSED:
                    opened.append((case_id, row))
            _open_records(opened, caseworkers, now)
            open_uk = open_uk or next((i for i, r in opened if r["centre"] == "uk"), None)
        db.session.commit()
        return open_uk


def _open_records(opened, caseworkers, now) -> None:
    """For each open case: both parties, a caseworker each (two people), an open deadline."""
    if not opened:
        return
    parties = []
    for case_id, _row in opened:
        for role in (PartyRole.REPORTING, PartyRole.RESPONDING):
            parties.append({"case_id": case_id, "role": role, "party_type": "student",
                            "identity_known": True, "preferred_language": "en",
                            "added_at": now})
    party_ids = db.session.scalars(
        sa.insert(CaseParty).returning(CaseParty.id, sort_by_parameter_order=True), parties
    ).all()
    assignments, deadlines = [], []
    for n, (case_id, row) in enumerate(opened):
        first, second = caseworkers[row["centre"]]
        for party_id, user_id in zip(party_ids[2 * n:2 * n + 2], (first, second), strict=True):
            assignments.append({"case_id": case_id, "party_id": party_id, "user_id": user_id,
                                "assigned_at": now})
        deadlines.append({"case_id": case_id, "kind": DeadlineKind.REPORT_ACKNOWLEDGEMENT,
                          "due_on": (now + timedelta(days=(n % 21) - 7)).date(),
                          "status": "open", "created_at": now})
    db.session.execute(sa.insert(CaseworkerAssignment), assignments)
    db.session.execute(sa.insert(Deadline), deadlines)


BOARDS = (
    ("Safeguarding Director's board", "safeguarding_director", None),
    ("a centre's board (Student Services, uk)", "student_services", "uk"),
    ("a centre's board (Centre Director, uk)", "centre_director", "uk"),
)


def _cold_queries(bench, path: str, headers: dict) -> int:
    """A board's queries with no card drawn yet (the card cache empty): its worst case. A
    board whose cards are all held runs fewer (their facts are not read)."""
    from hsm.cases import boardcache

    boardcache.clear()
    return bench.queries(path, headers)


def run(bench, app: Flask, say) -> None:
    """Queries per board and case page at 200 and at 50,000 cases (every column holds cards at
    both sizes), then their throughput."""
    small_case = add_cases(app, 200)
    small = {label: _cold_queries(bench, "/staff/cases", {"Cookie": staff_cookie(app, r, c)})
             for label, r, c in BOARDS}
    case_cookie = staff_cookie(app, "student_services", "uk")
    small_page = bench.queries(f"/staff/cases/{small_case}", {"Cookie": case_cookie})
    large_case = add_cases(app, 50_000 - 200)
    for label, role, centre in BOARDS:
        bench.same_queries(f"board: {label}", small[label],
                           _cold_queries(bench, "/staff/cases",
                                         {"Cookie": staff_cookie(app, role, centre)}),
                           "200 vs 50,000 cases, no card held")
    bench.same_queries("case page", small_page,
                       bench.queries(f"/staff/cases/{large_case}",
                                     {"Cookie": staff_cookie(app, "student_services", "uk")}),
                       "200 vs 50,000 cases")
    for label, role, centre in BOARDS:
        # Against the constant route measured just before it (the machine's load moves).
        constant = bench.run(Scenario("  constant route /healthz, just before", "/healthz"))
        result = bench.run(Scenario(f"{label}, 50,000 cases", "/staff/cases",
                                    headers={"Cookie": staff_cookie(app, role, centre)}))
        bench.ratio(label, result, constant, BOARD_TARGET)
    bench.run(Scenario("a case page, 50,000 cases", f"/staff/cases/{large_case}",
                       headers={"Cookie": staff_cookie(app, "student_services", "uk")}))


def main() -> int:
    """This section alone: the same gunicorn, wrk and targets as ``python -m tests.bench``."""
    from tests.bench.__main__ import Bench, say
    from tests.bench.harness import bench_env, gunicorn, scratch_dir, smtp_sink

    with scratch_dir() as work, smtp_sink() as smtp:
        os.environ.update(bench_env(work, smtp))
        from hsm import create_app

        logging.getLogger("hsm.access").addHandler(logging.NullHandler())
        app = create_app()
        with app.app_context():
            db.create_all()
        with gunicorn(dict(os.environ)) as base:
            bench = Bench(app, base, work)
            with app.app_context():
                say(f"database: {db.engine.dialect.name} {db.engine.dialect.server_version_info}")
            say("\n## Case boards")
            run(bench, app, say)
        say()
        if bench.failures:
            say("MISSED: " + "; ".join(bench.failures))
            return 1
        say("All targets met.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
