"""Need to know inside a case: the section table, walked over every section and role, and
the responding-party view that never holds the reporting party's wellbeing or past (19.3)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hsm.cases import operations as ops
from hsm.cases import queries
from hsm.cases.models import CaseEvent
from hsm.cases.queries import SECTIONS, Section
from hsm.cases.terms import Marking, MeasureKind, PartyRole, Stage
from hsm.extensions import db
from hsm.security import Role
from tests.cases.conftest import party

S = Section
EXPECTED = {
    Role.STUDENT_SERVICES: {S.PARTIES, S.SUPPORT_PLAN, S.WELLBEING_NOTES, S.RISK_ASSESSMENT,
                            S.MEASURES, S.CASE_REVIEW, S.TIMELINE, S.HEARING},
    Role.CENTRE_DIRECTOR: {S.PARTIES, S.RISK_ASSESSMENT, S.MEASURES, S.CASE_REVIEW,
                           S.INVESTIGATION, S.TIMELINE, S.HEARING},
    Role.SAFEGUARDING_DIRECTOR: set(Section),
    Role.CASE_REVIEW_MEMBER: {S.PARTIES, S.SUPPORT_PLAN, S.RISK_ASSESSMENT, S.MEASURES,
                              S.CASE_REVIEW, S.TIMELINE},
    Role.INVESTIGATING_OFFICER: {S.PARTIES, S.MEASURES, S.INVESTIGATION, S.TIMELINE},
    Role.REVIEWING_OFFICER: {S.PARTIES, S.CASE_REVIEW, S.INVESTIGATION, S.TIMELINE,
                             S.HEARING},
    Role.PEOPLE_TEAM: {S.PARTIES, S.RISK_ASSESSMENT, S.MEASURES, S.CASE_REVIEW,
                       S.INVESTIGATION, S.TIMELINE, S.HEARING},
    Role.EDI_OFFICER: set(), Role.SAFE_CONTACT: set(), Role.EXECUTIVE: set(), Role.ADMIN: set(),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("section", list(Section))
def test_the_section_table_walked_over_every_role_and_section(role, section):
    assert (section in SECTIONS[role]) == (section in EXPECTED[role])


def test_the_investigating_officer_never_sees_support_or_wellbeing():
    assert S.SUPPORT_PLAN not in SECTIONS[Role.INVESTIGATING_OFFICER]
    assert S.WELLBEING_NOTES not in SECTIONS[Role.INVESTIGATING_OFFICER]
    assert S.WELLBEING_NOTES not in SECTIONS[Role.REVIEWING_OFFICER]


def test_sections_on_a_case_come_only_from_the_roles_that_apply_to_it(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    assert queries.sections_for(staff.investigator, case) == EXPECTED[Role.INVESTIGATING_OFFICER]
    assert queries.sections_for(staff.reviewer, case) == set()  # not appointed here
    assert queries.sections_for(staff.caseworker, case) == EXPECTED[Role.STUDENT_SERVICES]


WELLBEING = "Wellbeing-canary: she told me about her past and her health."


def test_wellbeing_notes_never_reach_the_responding_party_view(make_case, staff):
    case = make_case(Stage.CASE_REVIEW)
    ops.add_note(staff.caseworker, case, WELLBEING, Marking.WELLBEING_PAST)
    internal = ops.add_note(staff.caseworker, case, "Internal note: meeting booked.",
                            Marking.INTERNAL)
    responding = party(case, PartyRole.RESPONDING)
    ops.set_measure(staff.director, case, responding, MeasureKind.NO_CONTACT, ops.now().date())
    db.session.commit()
    view = queries.responding_party_view(case, responding)
    assert [m.kind for m in view.measures] == [MeasureKind.NO_CONTACT]
    assert [n.body for n in view.notes] == ["Internal note: meeting booked."]
    # A note later made stricter leaves the view too; it can never become looser again.
    ops.mark_note(staff.caseworker, case, internal, Marking.WELLBEING_PAST)
    db.session.commit()
    assert queries.responding_party_view(case, responding).notes == []
    with pytest.raises(ops.Refused) as refused:
        ops.mark_note(staff.caseworker, case, internal, Marking.INTERNAL)
    assert [r.code for r in refused.value.reasons] == ["marking_looser"]
    # Nothing in the view carries the words, however it is rendered.
    dump = repr(queries.responding_party_view(case, responding))
    assert "canary" not in dump.lower()
    assert "Disclosure-canary" not in dump


def test_the_timeline_hides_wellbeing_notes_without_that_section(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    ops.add_note(staff.caseworker, case, WELLBEING, Marking.WELLBEING_PAST)
    db.session.commit()
    for_officer = queries.timeline(case, queries.sections_for(staff.investigator, case))
    assert for_officer and all(e.marking != Marking.WELLBEING_PAST for e in for_officer)
    for_caseworker = queries.timeline(case, queries.sections_for(staff.caseworker, case))
    assert WELLBEING in [e.body for e in for_caseworker]
    # The words are encrypted at rest.
    raw = db.session.execute(sa.text("SELECT body FROM case_event WHERE body IS NOT NULL"))
    assert all("canary" not in (row[0] or "") for row in raw)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent).where(
        CaseEvent.kind == "note")) == 1
