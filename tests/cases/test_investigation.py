"""The investigation (13) on the Investigating Officer's case page: scope, meetings (the order
of 13.7, the welfare check, notes encrypted at rest, comments kept alongside), the police
liaison (13.11), counter-allegations (13.12), the conclusion (13.16) and closing the loop
(13.19), which holds the case until the case review has met again."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from hsm.cases import operations as ops
from hsm.cases import queries, workflow
from hsm.cases.models import CaseEvent, InvestigationMeeting
from hsm.cases.terms import Conclusion, CounterDecision, PartyRole, PartyType, Stage
from hsm.extensions import db
from tests.cases.conftest import party
from tests.cases.test_case_forms import _forms_on, _post
from tests.cases.test_operations import audited, refused_codes
from tests.cases.test_views import sign_in

NOTES = "Meeting-canary: the reporting party described the evening in the library."
COMMENTS = "Comment-canary: the time in the notes should be 8 pm, not 9 pm."
SIGNPOSTED = "The counselling service and the student helpline."
ROLES = list(PartyRole)


def details(**changes) -> ops.MeetingDetails:
    values = dict(held_on=date.today() - timedelta(days=1), welfare_check=True,
                  services_signposted=SIGNPOSTED, notes=NOTES)
    return ops.MeetingDetails(**{**values, **changes})


def witness(case, staff):
    found = ops.add_party(staff.director, case, ops.PartyDetails(
        role=PartyRole.WITNESS, party_type=PartyType.STUDENT, name="Witness Person"))
    db.session.commit()
    return found


def date_fields(name: str, on: date) -> dict[str, str]:
    return {f"{name}-day": str(on.day), f"{name}-month": str(on.month),
            f"{name}-year": str(on.year)}


# --- the rules, as a table --------------------------------------------------------------------


@given(st.sampled_from(ROLES), st.sets(st.sampled_from(ROLES)), st.booleans())
def test_the_order_of_meetings(role, met, known):
    """13.7: the reporting party first, then the responding party, then witnesses."""
    out = workflow.meeting_out_of_order(role, met, reporting_known=known)
    before = {PartyRole.REPORTING: set(),
              PartyRole.RESPONDING: {PartyRole.REPORTING},
              PartyRole.WITNESS: {PartyRole.REPORTING, PartyRole.RESPONDING}}[role]
    if not known:
        before.discard(PartyRole.REPORTING)
    assert out == (not before <= met)
    # Out of order is never refused outright: only without its reason.
    facts = workflow.Facts(stage=Stage.INVESTIGATION)
    codes = {r.code for r in workflow.meeting_reasons(
        dataclasses.replace(facts, reporting_party_known=known), role=role, met=met,
        welfare_check=True, services_signposted=True, order_reason=False, police_advice=None,
        granted={"investigate_cases"})}
    assert codes == ({"meeting_order_not_kept"} if out else set())


@given(st.booleans(), st.booleans(), st.sampled_from([None, True, False]))
def test_the_police_hold_and_the_responding_party(hold, welfare, advice):
    facts = workflow.Facts(stage=Stage.INVESTIGATION, police_hold=hold)
    codes = {r.code for r in workflow.meeting_reasons(
        facts, role=PartyRole.RESPONDING, met={PartyRole.REPORTING}, welfare_check=welfare,
        services_signposted=True, order_reason=False, police_advice=advice,
        granted={"investigate_cases"})}
    expected = set() if welfare else {"welfare_check_missing"}
    if hold and advice is None:
        expected.add("police_not_consulted")
    if hold and advice is False:
        expected.add("police_advise_waiting")
    assert codes == expected


@pytest.mark.parametrize(("conclusion", "loop", "target", "expected"), [
    (None, False, Stage.HEARING, {"no_conclusion"}),
    (None, False, Stage.OUTCOME, {"no_conclusion"}),
    (Conclusion.BREACH, False, Stage.HEARING, {"loop_not_closed"}),
    (Conclusion.NO_BREACH, False, Stage.OUTCOME, {"loop_not_closed"}),
    (Conclusion.NO_BREACH, True, Stage.HEARING, {"no_breach_found"}),
    (Conclusion.NO_BREACH, True, Stage.OUTCOME, set()),
    (Conclusion.BREACH, True, Stage.HEARING, set()),
])
def test_the_case_moves_on_only_once_the_loop_is_closed(conclusion, loop, target, expected):
    facts = workflow.Facts(stage=Stage.INVESTIGATION, investigating_officers=(5,),
                           conclusion=conclusion, loop_closed=loop)
    moves = {m.target: m for m in workflow.available_moves(facts, {"investigate_cases"})}
    assert {r.code for r in moves[target].reasons} == expected
    # Each reason is said in words.
    assert all(str(r) for r in moves[target].reasons)


# --- operations -------------------------------------------------------------------------------


def test_meetings_in_the_policys_order_and_out_of_it(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    io = staff.investigator
    other = witness(case, staff)
    # A witness before the parties: refused without a reason, in words.
    assert refused_codes(ops.record_meeting, io, case, other, details()) == {
        "meeting_order_not_kept"}
    meeting = ops.record_meeting(io, case, other, details(order_reason="Leaving the country."))
    db.session.commit()
    assert meeting.order_reason == "Leaving the country."
    assert audited("case.investigation_meeting_recorded")[-1]["out_of_order"] is True
    ops.record_meeting(io, case, party(case, PartyRole.REPORTING), details())
    ops.record_meeting(io, case, party(case, PartyRole.RESPONDING), details())
    db.session.commit()
    assert queries.roles_met(case) == set(PartyRole)


def test_a_meeting_needs_its_welfare_check_and_the_investigating_officer(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    reporting = party(case, PartyRole.REPORTING)
    assert refused_codes(ops.record_meeting, staff.investigator, case, reporting,
                         details(welfare_check=False)) == {"welfare_check_missing"}
    assert refused_codes(ops.record_meeting, staff.investigator, case, reporting,
                         details(services_signposted=" ")) == {"welfare_check_missing"}
    # Student Services do not investigate; and nobody records a meeting before the stage.
    assert "missing_permission" in refused_codes(ops.record_meeting, staff.caseworker, case,
                                                 reporting, details())
    earlier = make_case(Stage.CASE_REVIEW)
    assert refused_codes(ops.record_meeting, staff.director, earlier,
                         party(earlier, PartyRole.REPORTING), details()) == {
        "not_in_investigation"}
    assert audited("case.refused")[-1]["refused"] == "record_meeting"


def test_notes_are_encrypted_and_comments_kept_alongside(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    io = staff.investigator
    meeting = ops.record_meeting(io, case, party(case, PartyRole.REPORTING), details(
        accompanied_by="An IDVA", adjustments="Breaks every half hour."))
    ops.record_notes_sent(io, case, meeting, date.today())
    ops.record_meeting_comments(io, case, meeting, COMMENTS, date.today())
    db.session.commit()
    raw = db.session.execute(sa.text(
        "SELECT notes, comments, services_signposted, accompanied_by, adjustments "
        "FROM case_investigation_meeting")).one()
    assert all(value and "canary" not in value and "IDVA" not in value for value in raw)
    db.session.expire_all()
    meeting = db.session.get(InvestigationMeeting, meeting.id)
    assert meeting.notes == NOTES  # the notes are never changed by the comments
    assert COMMENTS in meeting.comments and meeting.notes_sent_on == date.today()
    kinds = set(db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)))
    assert {"investigation_meeting_recorded", "meeting_notes_sent",
            "meeting_comments_recorded"} <= kinds
    # The timeline and the audit hold ids, never the words.
    for entry in audited("case.meeting_comments_recorded"):
        assert "canary" not in str(entry)


def test_on_police_hold_the_police_are_consulted_before_the_responding_party(make_case,
                                                                                 staff):
    case = make_case(Stage.INVESTIGATION)
    io = staff.investigator
    ops.record_meeting(io, case, party(case, PartyRole.REPORTING), details())
    ops.set_police_hold(staff.director, case, True)
    db.session.commit()
    responding = party(case, PartyRole.RESPONDING)
    assert refused_codes(ops.record_meeting, io, case, responding, details()) == {
        "police_not_consulted"}
    ops.record_police_liaison(io, case, date.today(), "PC Example, ref 123",
                              "Wait until the suspect interview.", False)
    db.session.commit()
    assert refused_codes(ops.record_meeting, io, case, responding, details()) == {
        "police_advise_waiting"}
    ops.record_police_liaison(io, case, date.today(), "PC Example, ref 123",
                              "The interview is done: you may contact them.", True)
    ops.record_meeting(io, case, responding, details())
    db.session.commit()
    # Without a police hold there is nothing to consult about.
    ops.set_police_hold(staff.director, case, False)
    db.session.commit()
    assert refused_codes(ops.record_police_liaison, io, case, date.today(), "x", "y",
                         True) == {"not_on_police_hold"}


def test_a_counter_allegation_is_made_by_a_responding_party(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    io = staff.investigator
    counter = ops.record_counter_allegation(
        io, case, party(case, PartyRole.RESPONDING), date.today(), "They say it was mutual.",
        CounterDecision.SEPARATE, "A serious matter of its own.")
    db.session.commit()
    assert counter.decision == CounterDecision.SEPARATE
    assert refused_codes(ops.record_counter_allegation, io, case,
                         party(case, PartyRole.REPORTING), date.today(), "x",
                         CounterDecision.WITHIN, "y") == {"not_a_responding_party"}


def test_closing_the_loop_before_the_case_moves_on(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    io, sd = staff.investigator, staff.director
    assert refused_codes(ops.move, io, case, Stage.HEARING) == {"no_conclusion"}
    assert refused_codes(ops.record_loop_closed, sd, case, date.today(), "Next.") == {
        "no_conclusion"}
    ops.record_conclusion(io, case, Conclusion.BREACH, date.today())
    db.session.commit()
    assert refused_codes(ops.record_conclusion, io, case, Conclusion.NO_BREACH,
                         date.today()) == {"already_concluded"}
    assert refused_codes(ops.move, io, case, Stage.HEARING) == {"loop_not_closed"}
    # The Investigating Officer does not convene the case review.
    assert "missing_permission" in refused_codes(ops.record_loop_closed, io, case,
                                                 date.today(), "Next.")
    ops.record_loop_closed(sd, case, date.today(), "A disciplinary hearing.")
    db.session.commit()
    ops.move(io, case, Stage.HEARING)
    db.session.commit()
    assert case.stage == Stage.HEARING


def test_a_new_scope_keeps_the_earlier_one(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    ops.record_scope(staff.investigator, case, "First scope.")
    ops.record_scope(staff.investigator, case, "Wider scope: the messages too.")
    db.session.commit()
    scopes = queries.investigation_contents(case)["scopes"]
    assert [s.scope for s in scopes] == ["Wider scope: the messages too.", "First scope."]


# --- the case page ----------------------------------------------------------------------------


def case_page_queries(client, case, count_queries) -> int:
    """How many queries the case page takes for the signed-in reader."""
    db.session.expire_all()
    with count_queries() as counted:
        assert client.get(f"/staff/cases/{case.id}").status_code == 200
    return counted.count


def test_the_investigating_officer_records_a_meeting_without_javascript(client, make_case,
                                                                        staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    offered = _forms_on(page)
    assert {"scope", "meeting", "counter_allegation", "conclusion"} <= offered
    assert not offered & {"loop", "note", "support", "police_liaison"}
    reporting = party(case, PartyRole.REPORTING)
    held = date.today() - timedelta(days=2)
    form = {"party": str(reporting.id), **date_fields("held_on", held), "welfare_check": "y",
            "services_signposted": SIGNPOSTED, "notes": NOTES}
    response = _post(client, case, "meeting", form)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NOTES in page and "The meeting is recorded." in page
    # The notes sent, then the comments, chosen from the meetings.
    meeting = db.session.scalar(sa.select(InvestigationMeeting))
    assert _post(client, case, "meeting_notes_sent", {
        "meeting": str(meeting.id), **date_fields("sent_on", date.today())}).status_code == 303
    response = _post(client, case, "meeting_comments", {
        "meeting": str(meeting.id), "comments": COMMENTS,
        **date_fields("received_on", date.today())}, htmx=True)
    assert response.status_code == 200
    assert COMMENTS in response.get_data(as_text=True)  # the records, swapped out of band


def test_a_meeting_form_with_mistakes_keeps_every_answer(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    responding = party(case, PartyRole.RESPONDING)
    form = {"party": str(responding.id), **date_fields("held_on", date.today()),
            "services_signposted": SIGNPOSTED, "notes": NOTES}
    # No welfare check: the form's own message.
    response = _post(client, case, "meeting", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Record the welfare check" in page and NOTES in page
    # Before the reporting party, without a reason: the rule's words, and the notes kept.
    response = _post(client, case, "meeting", {**form, "welfare_check": "y"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "reporting party first" in page and NOTES in page
    response = _post(client, case, "meeting", {**form, "welfare_check": "y",
                                               "order_reason": "The reporting party is ill."})
    assert response.status_code == 303


def test_who_sees_the_investigation(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    ops.record_meeting(staff.investigator, case, party(case, PartyRole.REPORTING), details())
    ops.add_note(staff.caseworker, case, "Wellbeing-canary: sleeps badly.", "wellbeing_past")
    db.session.commit()
    sign_in(client, staff.investigator)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert NOTES in page
    assert "Wellbeing-canary" not in page and 'id="support_plan-title"' not in page
    # Student Services do not see the investigation.
    sign_in(client, staff.caseworker)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert NOTES not in page
    # The Safeguarding Director is offered closing the loop once it is concluded.
    ops.record_conclusion(staff.investigator, case, Conclusion.NO_BREACH, date.today())
    db.session.commit()
    sign_in(client, staff.director)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "loop" in _forms_on(page)
    assert "The case review has not met again since the investigation was concluded" in page


def test_queries_on_the_case_page_do_not_grow_with_meetings(client, make_case, staff,
                                                             count_queries):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)

    def page_queries() -> int:
        return case_page_queries(client, case, count_queries)

    ops.record_meeting(staff.investigator, case, party(case, PartyRole.REPORTING), details())
    db.session.commit()
    few = page_queries()
    for _ in range(6):
        ops.record_meeting(staff.investigator, case, party(case, PartyRole.RESPONDING),
                           details())
    db.session.commit()
    assert page_queries() == few


def test_htmx_answers_never_swap_a_form_someone_may_be_typing_in(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    response = _post(client, case, "scope", {"scope": "Scope-canary."}, htmx=True)
    html = response.get_data(as_text=True)
    assert "Scope-canary." in html
    # Only the action's own form comes back; no other form's inputs.
    assert 'id="action-meeting"' not in html and 'name="meeting-notes"' not in html
