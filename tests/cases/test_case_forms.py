"""The records made on a case page (the actions table), with and without JavaScript, the
disclosure form that opens a case, and the deadlines' calendar files."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from hsm.audit import AuditEntry
from hsm.cases import actions
from hsm.cases import operations as ops
from hsm.cases.models import Case, CaseEvent, CaseworkerAssignment, RiskAssessment, SupportItem
from hsm.cases.terms import Marking, PartyRole, Stage
from hsm.extensions import db
from tests.cases.conftest import party
from tests.cases.test_views import HX, sign_in
from tests.helpers import csrf_from

NOTE = "Note-canary: the student asked for a quieter room for the exam."


def _post(client, case, name, data, *, htmx=False):
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    values = {f"{name}-csrf_token": csrf_from(page), **{f"{name}-{k}": v for k, v in data.items()}}
    return client.post(f"/staff/cases/{case.id}/record/{name}", data=values,
                       headers=HX if htmx else {})


def _forms_on(html: str) -> set[str]:
    return set(re.findall(r'id="action-([a-z_]+)"', html))


def _events(case, kind):
    return db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.kind == kind))


def test_each_role_is_offered_only_its_own_records(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    caseworker = _forms_on(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert {"party", "caseworker", "support", "note", "risk", "confirm_complaint"} <= caseworker
    assert not caseworker & {"member", "decisions", "officer", "acknowledge_complaint"}
    sign_in(client, staff.director)
    director = _forms_on(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert {"member", "decisions", "officer"} <= director


def test_the_centre_director_acknowledges_a_formal_complaint(client, make_case, staff):
    case = make_case(Stage.FORMAL_COMPLAINT)
    sign_in(client, staff.centre_director)
    offered = _forms_on(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert offered == {"acknowledge_complaint"}  # and nothing the Centre Director may not do
    response = _post(client, case, "acknowledge_complaint", {})
    assert response.status_code == 303
    assert _events(case, "complaint_acknowledged") == 1
    again = _forms_on(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert "acknowledge_complaint" not in again


def test_a_note_without_javascript_is_recorded_and_audited(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "note", {"body": NOTE, "marking": Marking.INTERNAL})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/cases/{case.id}#action-note")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NOTE in page and "The note is added to the timeline." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.note_added", AuditEntry.target_id == str(case.id))) == 1


def test_a_wellbeing_note_shows_only_in_its_section_never_in_the_timeline(client, make_case,
                                                                          staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    _post(client, case, "note", {"body": NOTE, "marking": Marking.WELLBEING_PAST})
    sign_in(client, staff.investigator)
    ops.appoint_officer(staff.director, case, staff.investigator, "investigating")
    db.session.commit()
    assert NOTE not in client.get(f"/staff/cases/{case.id}").get_data(as_text=True)


def test_a_mistake_keeps_every_answer_and_saves_nothing(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(RiskAssessment))
    response = _post(client, case, "risk", {
        "risk_to_reporting_party": "Risk-canary: they share a seminar group.",
        "risk_to_responding_party": "", "risk_to_others": "None known.",
        "urgency": "urgent", "next_review_on-day": "31", "next_review_on-month": "2",
        "next_review_on-year": "2027"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Risk-canary: they share a seminar group." in html and "None known." in html
    assert "Write the risks to the responding party." in html
    assert "this date does not exist" in html
    assert 'href="#risk-risk_to_responding_party"' in html  # the summary links to the box
    assert "<details open>" in html.replace('<details open="">', "<details open>")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RiskAssessment)) == before


def test_a_rule_of_the_policy_refuses_with_its_reason_and_keeps_the_answers(client, make_case,
                                                                             staff):
    """2.16, 12.4: the reporting party and a responding student never share a caseworker."""
    case = make_case(Stage.SUPPORT)
    reporting = party(case, PartyRole.REPORTING)
    worker = db.session.scalar(sa.select(CaseworkerAssignment.user_id).where(
        CaseworkerAssignment.party_id == reporting.id, CaseworkerAssignment.ended_at.is_(None)))
    responding = party(case, PartyRole.RESPONDING)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "caseworker", {"party": str(responding.id),
                                                   "caseworker": str(worker)})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This could not be recorded:" in html and "different" in html
    assert f'<option selected value="{responding.id}">' in html or \
        f'value="{responding.id}" selected' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseworkerAssignment).where(
        CaseworkerAssignment.party_id == responding.id,
        CaseworkerAssignment.ended_at.is_(None))) == 0


def test_a_party_of_another_case_is_not_a_choice(client, make_case, staff):
    case, other = make_case(Stage.SUPPORT), make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "support", {
        "party": str(party(other, PartyRole.REPORTING).id), "kind": "counselling",
        "status": "proposed"})
    assert response.status_code == 422
    assert "Choose one of the options." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupportItem).where(
        SupportItem.case_id.in_([case.id, other.id]))) == 0


def test_with_htmx_only_the_form_and_the_records_come_back(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "support", {"party": "", "kind": "counselling",
                                                "status": "referred"}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="case-action" id="action-support">')
    assert 'id="records-support_plan"' in html and 'data-hx-swap-oob="true"' in html
    assert "The support is added to the plan." in html
    # No other form is in the answer, so nothing typed in one can be swapped away.
    assert _forms_on(html) == {"support"}
    assert not re.search(r'<(textarea|input)[^>]*name="(?!support-)[a-z_]+-', html)
    oob = re.findall(r'<[^>]+data-hx-swap-oob[^>]*>', html)
    assert all('id="case-moves"' in tag or "<input" not in tag for tag in oob)


def test_a_record_not_offered_to_the_reader_is_refused(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "action-support" not in page
    response = client.post(f"/staff/cases/{case.id}/record/support", data={
        "support-csrf_token": csrf_from(page), "support-kind": "counselling",
        "support-status": "proposed"})
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupportItem).where(
        SupportItem.case_id == case.id)) == 0


def test_an_unknown_record_and_a_case_out_of_scope_are_not_found(client, make_case, staff,
                                                                 login_as):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    token = csrf_from(client.get(f"/staff/cases/{case.id}").data)
    assert client.post(f"/staff/cases/{case.id}/record/nothing",
                       data={"csrf_token": token}).status_code == 404
    login_as("student_services", "amsterdam")
    token = csrf_from(client.get("/staff/cases").data)
    assert client.post(f"/staff/cases/{case.id}/record/note", data={
        "note-csrf_token": token, "note-body": "x", "note-marking": "internal"}).status_code == 404


@pytest.mark.parametrize("name", sorted(actions.ACTIONS))
def test_every_action_names_a_real_form_and_permission(name):
    action = actions.ACTIONS[name]
    form_fields = {f for f in action.form.OFFERS}
    assert form_fields <= set(dir(action.form)), name
    assert action.permissions and action.title and action.done


def test_a_disclosure_opens_a_case(client, staff):
    sign_in(client, staff.caseworker)
    page = client.get("/staff/cases/new")
    assert page.status_code == 200
    response = client.post("/staff/cases/new", data={
        "csrf_token": csrf_from(page.data), "centre": "uk", "channel": "drop_in",
        "disclosed_on-day": "3", "disclosed_on-month": "11", "disclosed_on-year": "2026",
        "disclosure": "Drop-in-canary: a student told me about messages at night.",
        "responding_party_type": "student", "flags": ["under_18"]})
    assert response.status_code == 303
    case = db.session.scalar(sa.select(Case).order_by(Case.id.desc()))
    assert case.disclosure_channel == "drop_in" and case.under_18 and case.centre == "uk"


def test_a_disclosure_with_mistakes_keeps_the_words(client, staff):
    sign_in(client, staff.caseworker)
    token = csrf_from(client.get("/staff/cases/new").data)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    response = client.post("/staff/cases/new", data={
        "csrf_token": token, "centre": "amsterdam", "channel": "",
        "disclosure": "Kept-canary: words typed before the mistake.",
        "disclosed_on-day": "3", "disclosed_on-month": "11", "disclosed_on-year": "2099"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kept-canary: words typed before the mistake." in html
    assert "Choose how it reached you." in html and "cannot be in the future" in html
    assert "Choose one of the options." in html  # another centre is not offered
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before


def test_a_deadline_downloads_as_a_calendar_event_with_no_detail(client, make_report, staff):
    case = ops.open_case_from_report(staff.caseworker, make_report("uk"))  # acknowledge it
    db.session.commit()
    sign_in(client, staff.caseworker)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    link = re.search(rf'href="(/staff/cases/{case.id}/deadlines/(\d+)\.ics)"', page)
    assert link, "no calendar link"
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and str(events[0]["SUMMARY"]).startswith(case.reference)
    for secret in ("Narrative-canary", "Canary-Surname", "Robin"):
        assert secret not in body
    assert client.get(f"/staff/cases/{case.id}/deadlines/999999.ics").status_code == 404
    feed = client.get("/staff/cases/deadlines.ics")
    assert feed.status_code == 200 and case.reference in feed.get_data(as_text=True)


def test_a_later_report_is_linked_to_the_case(client, make_case, make_report, staff):
    case = make_case(Stage.SUPPORT)
    later, elsewhere = make_report("uk"), make_report("amsterdam")
    sign_in(client, staff.caseworker)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert later.reference in page and elsewhere.reference not in page
    response = _post(client, case, "link_report", {"report": str(later.id)})
    assert response.status_code == 303
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f"<dd>{later.reference}</dd>" in page
    # Once linked it is no longer offered, here or on another case.
    other = make_case(Stage.SUPPORT)
    assert later.reference not in client.get(f"/staff/cases/{other.id}").get_data(as_text=True)


def test_a_note_is_marked_stricter_and_leaves_the_timeline(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    _post(client, case, "note", {"body": NOTE, "marking": Marking.INTERNAL})
    note = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                        CaseEvent.kind == "note"))
    response = _post(client, case, "note_marking", {"note": str(note.id)})
    assert response.status_code == 303
    db.session.refresh(note)
    assert note.marking == Marking.WELLBEING_PAST
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    timeline = page[page.index('id="case-timeline"'):]
    assert NOTE not in timeline
    # A wellbeing note is never offered for marking again (a marking never loosens).
    assert "action-note_marking" not in page  # no internal note is left to mark


def test_a_review_request_runs_to_its_answer_on_the_reviewing_officers_page(client, make_case,
                                                                              staff):
    case = make_case(Stage.OUTCOME)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "review_request", {
        "party": str(party(case, PartyRole.RESPONDING).id), "received_on-day": "1",
        "received_on-month": "12", "received_on-year": "2026", "grounds": "new_evidence",
        "details": "Details-canary: a new message came to light"})
    assert response.status_code == 303
    sign_in(client, staff.director)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Review request received on 1 Dec 2026" in page
    assert "Relevant new evidence or circumstances" in page
    ops.appoint_officer(staff.director, case, staff.reviewer, "reviewing")
    ops.move(staff.director, case, Stage.REVIEW)
    db.session.commit()
    sign_in(client, staff.reviewer)
    assert {"acknowledge_review", "review_timescale", "respond_review"} <= _forms_on(
        client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    request = db.session.scalar(sa.select(actions.ReviewRequest).where(
        actions.ReviewRequest.case_id == case.id))
    assert _post(client, case, "acknowledge_review", {"request": str(request.id)}
                 ).status_code == 303
    missing = _post(client, case, "review_timescale", {"request": str(request.id)})
    assert missing.status_code == 422 and "Write the reason." in missing.get_data(as_text=True)
    assert _post(client, case, "respond_review", {"request": str(request.id)}).status_code == 303
    db.session.refresh(request)
    assert request.acknowledged_on and request.responded_on
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "action-acknowledge_review" not in page and "action-respond_review" not in page
