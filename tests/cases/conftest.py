"""Fixtures of the cases area: the staff a case needs, and cases made the real way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import current_app

from hsm.cases import demo
from hsm.cases import operations as ops
from hsm.cases.models import Case, CaseParty
from hsm.cases.terms import Channel, PartyRole, PartyType, ReviewTeamRole, Stage
from hsm.extensions import db
from hsm.reports import operations as report_ops
from hsm.security import Role
from tests.factories import make_user


def submission(**overrides) -> report_ops.Submission:
    values = {
        "anonymous": False, "about": "me", "categories": ["harassment"],
        "narrative": "Narrative-canary: someone keeps following me after class.",
        "when_kind": "ongoing", "where": "on_campus", "respondent": "student",
        "wishes": ["support"], "immediate_danger": False, "under_18": False,
        "consent_earlier_notes": "not_applicable", "first_name": "Robin",
        "last_name": "Canary-Surname", "student_number": "S7654321",
        "contact_method": "email", "contact_detail": "robin.canary@example.net",
    }
    values.update(overrides)
    return report_ops.Submission(**values)


@pytest.fixture
def make_report():
    def make(centre: str = "uk", **overrides):
        report, _code = report_ops.submit_report(
            submission(**overrides), centre=centre,
            pepper=current_app.config["HSM_RECEIPT_PEPPER"])
        db.session.commit()
        return report
    return make


class Staff:
    """The people of one centre's cases, made once per test."""

    def __init__(self, centre: str = "uk"):
        self.centre = centre
        self.director = make_user(Role.SAFEGUARDING_DIRECTOR, name="Director Person")
        self.caseworker = make_user((Role.STUDENT_SERVICES, centre))
        self.second_caseworker = make_user((Role.STUDENT_SERVICES, centre))
        self.centre_director = make_user((Role.CENTRE_DIRECTOR, centre))
        self.members = [make_user(Role.CASE_REVIEW_MEMBER) for _ in range(3)]
        self.people_team = make_user(Role.CASE_REVIEW_MEMBER, Role.PEOPLE_TEAM)
        self.investigator = make_user(Role.INVESTIGATING_OFFICER)
        self.reviewer = make_user(Role.REVIEWING_OFFICER)

    @property
    def people(self) -> demo.People:
        return demo.People(
            director=self.director,
            caseworkers=(self.caseworker, self.second_caseworker),
            members=tuple((m, t) for m, t in zip(self.members, (
                ReviewTeamRole.CHIEF_ACADEMIC_OFFICER, ReviewTeamRole.GENERAL_COUNSEL,
                ReviewTeamRole.DIRECTOR_STUDY_CENTRES), strict=True)),
            investigator=self.investigator,
            reviewer=self.reviewer,
        )


@pytest.fixture
def staff():
    return Staff("uk")


@pytest.fixture
def make_case(staff):
    """A case opened from a disclosure at ``staff.centre`` and taken to ``stage`` for real."""

    def make(stage: Stage = Stage.RECEIVED, *, respondent: str = PartyType.STUDENT,
             urgent: bool = False, commit: bool = True) -> Case:
        case = ops.record_disclosure(staff.caseworker, staff.centre, ops.Disclosure(
            channel=Channel.PHONE, disclosure="Disclosure-canary: what was said on the phone.",
            disclosed_on=date(2026, 11, 2), responding_party_type=respondent,
            immediate_danger=urgent,
        ))
        demo.advance_to(case, stage, staff.people, datetime.now(UTC).date())
        if commit:
            db.session.commit()
        return case

    return make


def party(case: Case, role: PartyRole) -> CaseParty:
    db.session.refresh(case)
    return next(p for p in case.parties if p.role == role)
