"""Who sees which case: one rule, in Python and in SQL, and conflicts of interest win."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound

from hsm.cases import operations as ops
from hsm.cases import queries
from hsm.cases.models import Case, CaseConflict, CaseReviewMember, OfficerAppointment
from hsm.cases.queries import CaseScope
from hsm.cases.terms import OfficerRole, PartyRole, PartyType, ReviewTeamRole, Stage
from hsm.extensions import db
from hsm.mail import OutboxMessage
from hsm.security import Role
from tests.cases.conftest import party
from tests.factories import make_user

CENTRES = ("uk", "amsterdam", "ireland", "paris")
SCOPE = st.one_of(st.none(), st.frozensets(st.sampled_from(CENTRES)))


def _seed() -> list[int]:
    """Cases at every centre, about staff or not, with every mix of members, officers and
    conflicts for four people; returns the people's ids."""
    people = [make_user(Role.CASE_REVIEW_MEMBER).id for _ in range(4)]
    now = ops.now()
    combos = itertools.product(CENTRES, (False, True), range(4))
    for n, (centre, staff, k) in enumerate(combos):
        case = Case(reference=f"C-SCOPE{n:03d}", centre=centre, stage=Stage.SUPPORT,
                    stage_changed_at=now, opened_at=now, staff_respondent=staff)
        db.session.add(case)
        db.session.flush()
        for i, uid in enumerate(people):
            if (n + i) % 3 == 0:
                db.session.add(CaseReviewMember(case_id=case.id, user_id=uid, added_at=now,
                                                role_title=ReviewTeamRole.GENERAL_COUNSEL))
            if (n + i) % 4 == 1:
                db.session.add(OfficerAppointment(case_id=case.id, user_id=uid, appointed_at=now,
                                                  role=OfficerRole.INVESTIGATING))
            if (n + i) % 5 == 2:
                db.session.add(OfficerAppointment(
                    case_id=case.id, user_id=uid, appointed_at=now, role=OfficerRole.REVIEWING,
                    ended_at=now if k == 3 else None))
            if (n * 7 + i) % 6 == 0:
                db.session.add(CaseConflict(case_id=case.id, user_id=uid, reason="colleague",
                                            declared_at=now))
    db.session.commit()
    return people


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(person=st.integers(0, 3), centres=SCOPE, staff=SCOPE, member=st.booleans(),
       investigating=st.booleans(), reviewing=st.booleans())
def test_sees_and_clause_agree_on_generated_cases(person, centres, staff, member, investigating,
                                                  reviewing):
    if db.session.scalar(sa.select(sa.func.count(Case.id))) == 0:
        _seed()
    people = sorted(db.session.scalars(sa.select(CaseReviewMember.user_id).distinct()))
    scope = CaseScope(user_id=people[person], centres=centres, staff_respondent=staff,
                      review_member=member, investigating=investigating, reviewing=reviewing)
    cases = list(db.session.scalars(sa.select(Case)))
    in_python = {c.id for c in cases if scope.sees(queries.access_of(c))}
    in_sql = set(db.session.scalars(sa.select(Case.id).where(scope.clause())))
    assert in_python == in_sql
    if in_python:
        assert scope.any


def _ids(actor) -> set[str]:
    return {c.reference for c in db.session.scalars(queries.visible_cases(actor))}


def test_each_role_sees_what_the_table_says(make_case, staff):
    ours = make_case(Stage.CASE_REVIEW)
    about_staff = make_case(respondent=PartyType.STAFF)
    elsewhere = make_case()
    elsewhere.centre = "paris"
    db.session.commit()
    everything = {ours.reference, about_staff.reference, elsewhere.reference}

    assert _ids(staff.director) == everything
    assert _ids(staff.caseworker) == {ours.reference, about_staff.reference}
    assert _ids(staff.centre_director) == {ours.reference, about_staff.reference}
    # Case review members: only the cases whose team they are on.
    assert _ids(staff.members[0]) == {ours.reference}
    assert _ids(make_user(Role.CASE_REVIEW_MEMBER)) == set()
    # People Team: cases about staff, every centre.
    assert _ids(make_user(Role.PEOPLE_TEAM)) == {about_staff.reference}
    # Officers: only what they are appointed to.
    assert _ids(staff.investigator) == set()
    ops.record_decisions(staff.director, ours, ops.Decisions(
        ops.now().date(), "r", "s", "student_disciplinary", recommend_investigation=True))
    ops.appoint_officer(staff.director, ours, staff.investigator, "investigating")
    db.session.commit()
    assert _ids(staff.investigator) == {ours.reference}
    assert _ids(staff.reviewer) == set()
    for role in (Role.ADMIN, Role.EDI_OFFICER, Role.EXECUTIVE, Role.SAFE_CONTACT):
        user = make_user(role)
        assert _ids(user) == set(), role
        assert not CaseScope.of(user).any
    assert _ids(None) == set()


def test_a_centre_director_who_is_the_responding_party_never_sees_their_own_case(
        app, make_case, staff, mail):
    case = make_case(Stage.SUPPORT)
    other_director = make_user((Role.CENTRE_DIRECTOR, "uk"))
    responding = party(case, PartyRole.RESPONDING)
    ops.update_party(staff.caseworker, case, responding, ops.PartyDetails(
        role=PartyRole.RESPONDING, party_type=PartyType.STAFF, name="Director Name",
        user=staff.centre_director))
    db.session.commit()
    assert case.staff_respondent
    # Board list, loader and email: none of them shows it to the director.
    assert case.reference not in _ids(staff.centre_director)
    assert case.reference in _ids(other_director)
    with app.test_request_context(), pytest.raises(NotFound):
        queries.load_case_for(staff.centre_director, case.id)
    with app.test_request_context():
        assert queries.load_case_for(other_director, case.id) == case
    assert queries.granted_for(staff.centre_director, case) == frozenset()
    assert queries.sections_for(staff.centre_director, case) == frozenset()
    ops.confirm_complaint(staff.caseworker, case)
    db.session.commit()
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert other_director.email in recipients
    assert staff.centre_director.email not in recipients


def test_a_declared_conflict_hides_the_case_even_from_the_safeguarding_director(app, make_case,
                                                                                staff):
    case = make_case(Stage.SUPPORT)
    second_director = make_user(Role.SAFEGUARDING_DIRECTOR)
    ops.declare_conflict(staff.director, case, second_director, "relative")
    db.session.commit()
    assert case.reference not in _ids(second_director)
    assert not queries.may_see(second_director, case)
    with app.test_request_context(), pytest.raises(NotFound):
        queries.load_case_for(second_director, case.id)
    # The refusal is in the audit log.
    from hsm.audit import AuditEntry
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "access.denied")) >= 1


def test_out_of_range_ids_are_a_plain_404(app, staff):
    for bad in (0, -1, 2**31):
        with app.test_request_context(), pytest.raises(NotFound):
            queries.load_case_for(staff.director, bad)


def test_permissions_on_a_case_follow_the_roles_on_it(make_case, staff):
    case = make_case(Stage.CASE_REVIEW)
    assert "convene_case_review" in queries.granted_for(staff.director, case)
    assert "manage_cases" in queries.granted_for(staff.caseworker, case)
    assert "review_measures" in queries.granted_for(staff.members[0], case)
    # A caseworker at another centre holds nothing on it.
    assert queries.granted_for(make_user((Role.STUDENT_SERVICES, "paris")), case) == frozenset()
    # An investigator holds the investigation's permission only once appointed.
    assert "investigate_cases" not in queries.granted_for(staff.investigator, case)
