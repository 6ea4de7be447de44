"""Known data for the statistics: a handful of reports and cases with chosen answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hsm.cases.models import Case, CaseParty, Deadline, Measure
from hsm.extensions import db
from hsm.reports.models import Report
from hsm.stats import demo
from tests.core.test_route_walk import no_csrf  # noqa: F401 - a fixture for test_access

THROUGH = date(2025, 11, 1)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def known_data() -> None:
    """The data of the exact-count tests (academic year 2025/26, published through 2025-11).

    - uk, October: 10 reports: 6 named, 4 anonymous (afraid of what might happen), 2 of them
      for someone else, all on campus about a student; 1 from long ago; all harassment, 5
      also bullying; received on Monday 6 October, acknowledged on Wednesday 8 (2 working
      days).
    - paris, September: 6 named reports, online, about a member of staff, on a known date.
    - outside the window: 2 uk reports in August 2025 (the year before), 3 amsterdam reports
      in December 2025 (after the snapshot's month).
    - uk cases opened in October: 6 disclosures by phone, in support; each a responding
      party with a no-contact measure from 15 September, one lifted on 10 October; 5
      Completion of Procedures letters sent on time and 1 late, due in October.
    - paris, October: 1 case dismissed with support on 20 October.
    """
    n = iter(range(1, 1000))
    reports = []
    for i in range(10):
        anonymous = i >= 6
        reports.append(demo.report_row(
            next(n), "uk", at("2025-10-06"), acknowledged_at=at("2025-10-08"),
            anonymous=anonymous, anonymity_reason="retaliation" if anonymous else None,
            about="someone_else" if i in (0, 1) else "me",
            when_kind="long_ago" if i == 9 else "ongoing",
            categories=["harassment", "bullying"] if i < 5 else ["harassment"]))
    for _ in range(6):
        reports.append(demo.report_row(next(n), "paris", at("2025-09-15"), where="online",
                                       respondent="staff", when_kind="date"))
    reports += [demo.report_row(next(n), "uk", at("2025-08-20")) for _ in range(2)]
    reports += [demo.report_row(next(n), "amsterdam", at("2025-12-02")) for _ in range(3)]
    demo.insert(Report, reports)

    cases = [demo.case_row(next(n), "uk", at("2025-10-13"), stage="support",
                           disclosure_channel="phone") for _ in range(6)]
    cases.append(demo.case_row(next(n), "paris", at("2025-10-01"), stage="closed",
                               closure_reason="dismissed_with_support",
                               closed_at=at("2025-10-20")))
    demo.insert(Case, cases)
    uk_cases = [c.id for c in db.session.query(Case).filter_by(centre="uk").order_by(Case.id)]
    for index, case_id in enumerate(uk_cases):
        party = CaseParty(case_id=case_id, role="responding", party_type="student",
                          added_at=at("2025-10-13"))
        db.session.add(party)
        db.session.flush()
        db.session.add(Measure(
            case_id=case_id, party_id=party.id, kind="no_contact", starts_on=date(2025, 9, 15),
            lifted_on=date(2025, 10, 10) if index == 0 else None,
            status="lifted" if index == 0 else "active", set_at=at("2025-09-15")))
        db.session.add(Deadline(case_id=case_id, kind="completion_letter",
                                due_on=date(2025, 10, 20), status="missed" if index == 0
                                else "met", created_at=at("2025-10-13")))
    db.session.commit()


@pytest.fixture
def known():
    known_data()
    return THROUGH
