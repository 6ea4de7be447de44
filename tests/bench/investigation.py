"""Cases in ``make bench``: opening a case with 200 timeline events and 50 evidence items.

The case is made the real way (the demo's ``advance_to``, then notes and evidence through the
operations), and opened by its Investigating Officer. ``investigation_case`` answers the
case page's path and a ``Cookie:`` header for that officer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask

from hsm.cases import demo
from hsm.cases import operations as ops
from hsm.cases.terms import Channel, Marking, PartyType, Stage
from hsm.extensions import db
from tests.bench.areas import signed_in_cookie
from tests.cases.conftest import Staff


def investigation_case(app: Flask, events: int, evidence: int) -> tuple[str, dict[str, str]]:
    """A case in investigation with at least ``events`` timeline events and ``evidence``
    evidence items; its page's path and its Investigating Officer's cookie."""
    with app.app_context():
        staff = Staff("uk")
        case = ops.record_disclosure(staff.caseworker, "uk", ops.Disclosure(
            channel=Channel.PHONE, disclosure="Bench fictional disclosure.",
            disclosed_on=date(2026, 11, 2), responding_party_type=PartyType.STUDENT))
        demo.advance_to(case, Stage.INVESTIGATION, staff.people, datetime.now(UTC).date())
        files = demo.demo_evidence()
        for n in range(evidence):
            title, name, data = files[n % len(files)]
            ops.add_evidence(staff.investigator, case, f"{title} ({n + 1})", name, data)
        from hsm.cases.models import CaseEvent

        have = db.session.query(CaseEvent).filter_by(case_id=case.id).count()
        for n in range(max(0, events - have)):
            ops.add_note(staff.caseworker, case, f"Bench fictional note {n + 1}.",
                         Marking.INTERNAL)
        return (f"/staff/cases/{case.id}",
                {"Cookie": signed_in_cookie(app, staff.investigator)})
