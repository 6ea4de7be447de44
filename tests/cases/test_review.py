"""Review (16) on the Reviewing Officer's page: the request with its details, paper review or
a new hearing (16.7), the alternative timescale (16.6) and the final decision (16.10, 16.11),
as domain rules, operations and forms, for every role."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from hsm.cases import operations as ops
from hsm.cases import workflow
from hsm.cases.models import Case, Deadline, ReviewRequest
from hsm.cases.terms import DeadlineKind, DeadlineStatus, PartyRole, Stage
from hsm.extensions import db
from hsm.letters import operations as letter_ops
from hsm.letters.models import ReviewDecision
from hsm.security import Role
from tests.cases.conftest import party
from tests.cases.test_case_forms import _forms_on, _post
from tests.cases.test_operations import refused_codes
from tests.cases.test_views import sign_in
from tests.factories import make_user

DETAILS = "Details-canary-R1: a statement was not shared before the hearing"
REASONS = "Decision-canary-R2: the penalty did not reflect the repeated messages"


def _request(case: Case) -> ReviewRequest:
    return db.session.scalar(sa.select(ReviewRequest).where(ReviewRequest.case_id == case.id))


def _terms(decision="confirm", **kw) -> letter_ops.ReviewTerms:
    return letter_ops.ReviewTerms(decision, kw.pop("reasons", REASONS),
                                  kw.pop("decided_on", date.today() - timedelta(days=1)), **kw)


def _deadline(case: Case, kind: DeadlineKind) -> list[Deadline]:
    return list(db.session.scalars(sa.select(Deadline).where(
        Deadline.case_id == case.id, Deadline.kind == kind).order_by(Deadline.id)))


# --- the rules, pure -------------------------------------------------------------------------


def _codes(reasons) -> set[str]:
    return {r.code for r in reasons}


def test_the_decision_rules_in_words():
    base = dict(decided=False, form="paper", hearing_on=None, decided_on=date(2026, 12, 1),
                concerns=(), new_finding=None, sanctions=(), affects_other_party=False)
    assert workflow.review_decision_reasons(**{**base, "decision": "confirm"}) == []
    assert _codes(workflow.review_decision_reasons(**{**base, "decision": "confirm",
                                                      "decided": True})) == {
        "review_already_decided"}
    assert _codes(workflow.review_decision_reasons(**{**base, "decision": "confirm",
                                                      "form": None})) == {
        "review_form_not_chosen"}
    assert _codes(workflow.review_decision_reasons(**{
        **base, "decision": "confirm", "affects_other_party": True})) == {
        "review_confirm_changes_nothing"}
    assert _codes(workflow.review_decision_reasons(**{**base, "decision": "vary"})) == {
        "review_concerns_missing"}
    assert _codes(workflow.review_decision_reasons(**{
        **base, "decision": "vary", "concerns": ("finding", "penalty")})) == {
        "review_new_finding_missing", "review_sanctions_missing"}
    # Setting the penalty aside needs no new penalty; a new hearing comes before the decision.
    assert workflow.review_decision_reasons(**{**base, "decision": "set_aside",
                                               "concerns": ("penalty",)}) == []
    assert _codes(workflow.review_decision_reasons(**{
        **base, "decision": "confirm", "form": "hearing",
        "hearing_on": date(2026, 12, 2)})) == {"review_hearing_not_held"}


@given(decision=st.sampled_from(["confirm", "set_aside", "vary"]),
       concerns=st.sets(st.sampled_from(["finding", "penalty"])),
       finding=st.sampled_from([None, "breach", "no_breach"]),
       sanctions=st.sets(st.sampled_from(["caution", "workshop", "written_warning"])),
       told=st.booleans(), decided=st.booleans())
def test_a_decision_is_recorded_exactly_when_it_is_complete_and_the_first(
        decision, concerns, finding, sanctions, told, decided):
    reasons = workflow.review_decision_reasons(
        decided=decided, form="paper", hearing_on=None, decided_on=date(2026, 12, 1),
        decision=decision, concerns=concerns, new_finding=finding, sanctions=sanctions,
        affects_other_party=told)
    if decision == "confirm":
        complete = not (concerns or finding or sanctions or told)
    else:
        complete = (bool(concerns) and ("finding" not in concerns or finding is not None)
                    and (decision != "vary" or "penalty" not in concerns or bool(sanctions)))
    assert (reasons == []) == (complete and not decided)
    assert ("review_already_decided" in _codes(reasons)) == decided


def test_an_alternative_timescale_is_later_than_three_weeks_and_not_in_the_past():
    usual, today = date(2026, 12, 22), date(2026, 12, 6)
    assert workflow.timescale_reasons(due_on=date(2027, 1, 15), usual_due_on=usual,
                                      today=today, answered=False) == []
    assert _codes(workflow.timescale_reasons(due_on=usual, usual_due_on=usual, today=today,
                                             answered=False)) == {"timescale_not_later"}
    assert _codes(workflow.timescale_reasons(due_on=date(2027, 1, 15), usual_due_on=usual,
                                             today=today, answered=True)) == {"review_answered"}


# --- operations ------------------------------------------------------------------------------


def test_a_request_records_who_when_the_grounds_and_the_details_encrypted(make_case, staff):
    case = make_case(Stage.OUTCOME)
    reporting = party(case, PartyRole.REPORTING)
    assert refused_codes(ops.record_review_request, staff.caseworker, case, reporting,
                         date(2026, 12, 1), ["new_evidence"], "  ") == {"text_missing"}
    assert refused_codes(ops.record_review_request, staff.caseworker, case, reporting,
                         date(2026, 12, 1), [], DETAILS) == {"review_no_ground"}
    request = ops.record_review_request(staff.caseworker, case, reporting, date(2026, 12, 1),
                                        ["new_evidence", "irregularity"], DETAILS)
    db.session.commit()
    assert (request.party_id, request.received_on) == (reporting.id, date(2026, 12, 1))
    assert request.grounds == ["irregularity", "new_evidence"] and request.details == DETAILS
    raw = db.session.execute(sa.text("SELECT details FROM case_review_request WHERE id = :id"),
                             {"id": request.id}).scalar_one()
    assert "canary" not in raw


def test_only_the_appointed_reviewing_officer_chooses_the_form_and_decides(make_case, staff):
    case = make_case(Stage.REVIEW)
    request = _request(case)
    other_officer = make_user(Role.REVIEWING_OFFICER)
    for who in (staff.director, other_officer):
        assert "not_the_reviewing_officer" in refused_codes(
            letter_ops.record_review_form, who, case, request, "paper")
    assert refused_codes(letter_ops.record_review_decision, staff.reviewer, case, request,
                         _terms()) == {"review_form_not_chosen"}
    assert refused_codes(letter_ops.record_review_form, staff.reviewer, case, request,
                         "hearing") == {"review_hearing_details"}
    hearing = date.today() + timedelta(days=3)
    letter_ops.record_review_form(staff.reviewer, case, request, "hearing", hearing_on=hearing,
                                  arrangements="A separate room; questions through the Chair")
    db.session.commit()
    assert (request.review_form, request.hearing_on) == ("hearing", hearing)
    # A new hearing: the decision follows the hearing.
    assert refused_codes(letter_ops.record_review_decision, staff.reviewer, case, request,
                         _terms()) == {"review_hearing_not_held"}
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    db.session.commit()
    assert request.hearing_on is None and request.hearing_arrangements is None


def test_the_decision_is_final_answers_the_request_and_starts_the_cop_deadline(
        make_case, staff):
    case = make_case(Stage.REVIEW)
    request = _request(case)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    decided_on = date.today() - timedelta(days=1)
    letter_ops.record_review_decision(staff.reviewer, case, request, _terms(
        "vary", decided_on=decided_on, concerns=("penalty",),
        sanctions=("written_warning", "workshop", "recommended_permanent_exclusion"),
        affecting_reporting_party=("workshop",), affects_other_party=True))
    db.session.commit()
    decision = db.session.scalar(sa.select(ReviewDecision))
    assert [(s.kind, s.affects_reporting_party) for s in decision.sanctions] == [
        ("written_warning", False), ("workshop", True),
        ("recommended_permanent_exclusion", False)]
    db.session.refresh(case)
    assert case.final_decision_on == decided_on and request.responded_on == decided_on
    [response] = _deadline(case, DeadlineKind.REVIEW_RESPONSE)
    assert response.status == DeadlineStatus.MET
    [letter] = _deadline(case, DeadlineKind.COMPLETION_LETTER)
    assert letter.due_on == decided_on + timedelta(days=28)
    assert letter.status == DeadlineStatus.OPEN
    # Final (16.11): never decided again, whatever is asked.
    assert refused_codes(letter_ops.record_review_decision, staff.reviewer, case, request,
                         _terms()) == {"review_already_decided"}
    assert refused_codes(letter_ops.record_review_form, staff.reviewer, case, request,
                         "hearing", hearing_on=date.today(), arrangements="x") == {
        "review_already_decided"}


@pytest.mark.parametrize(("terms", "months"), [
    (dict(decision="vary", concerns=("penalty",), sanctions=("written_warning",)), None),
    (dict(decision="vary", concerns=("penalty",), sanctions=("caution", "workshop")), 12),
    (dict(decision="set_aside", concerns=("penalty",)), None),
    (dict(decision="set_aside", concerns=("finding",), new_finding="no_breach"), None),
    (dict(decision="confirm"), "kept"),
], ids=["varied-to-a-warning", "varied-to-a-caution", "penalty-set-aside", "no-breach",
        "confirmed"])
def test_the_board_keeps_the_penalty_the_review_leaves(make_case, staff, terms, months):
    """The board's caution expiry follows the review (16.10): the penalty a review varied
    replaces it, one set aside ends it, a confirmed one keeps it; a varied penalty that
    recommends permanent exclusion opens the visa task."""
    case = make_case(Stage.REVIEW)
    case.caution_expires_on = before = date.today() + timedelta(days=200)
    request = _request(case)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    decided_on = date.today() - timedelta(days=1)
    letter_ops.record_review_decision(staff.reviewer, case, request,
                                      _terms(decided_on=decided_on, **terms))
    db.session.commit()
    db.session.refresh(case)
    if months == "kept":
        assert case.caution_expires_on == before
    elif months is None:
        assert case.caution_expires_on is None
    else:
        assert case.caution_expires_on == decided_on.replace(year=decided_on.year + 1)
    assert not _deadline(case, DeadlineKind.VISA_NOTIFICATION)


def test_a_review_recommending_permanent_exclusion_opens_the_visa_task(make_case, staff):
    case = make_case(Stage.REVIEW)
    request = _request(case)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    letter_ops.record_review_decision(staff.reviewer, case, request, _terms(
        "vary", concerns=("penalty",), sanctions=("recommended_permanent_exclusion",)))
    db.session.commit()
    assert [d.status for d in _deadline(case, DeadlineKind.VISA_NOTIFICATION)] == [
        DeadlineStatus.OPEN]


def test_a_final_decision_made_before_the_review_moves_to_the_reviews_date(make_case, staff):
    case = make_case(Stage.REVIEW)
    ops.record_final_decision(staff.director, case, date.today() - timedelta(days=20))
    request = _request(case)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    letter_ops.record_review_decision(staff.reviewer, case, request, _terms())
    db.session.commit()
    decision = db.session.scalar(sa.select(ReviewDecision))
    assert decision.previous_final_decision_on == date.today() - timedelta(days=20)
    [letter] = _deadline(case, DeadlineKind.COMPLETION_LETTER)
    assert letter.due_on == date.today() - timedelta(days=1) + timedelta(days=28)


def test_a_second_request_holds_the_final_decision_until_it_is_decided(make_case, staff):
    case = make_case(Stage.REVIEW)
    first = _request(case)
    second = ops.record_review_request(staff.director, case, party(case, PartyRole.RESPONDING),
                                       date.today() - timedelta(days=1), ["unreasonable"],
                                       DETAILS)
    for request in (first, second):
        letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    letter_ops.record_review_decision(staff.reviewer, case, first, _terms())
    db.session.commit()
    assert case.final_decision_on is None and not _deadline(case, DeadlineKind.COMPLETION_LETTER)
    letter_ops.record_review_decision(staff.reviewer, case, second, _terms(
        decided_on=date.today()))
    db.session.commit()
    assert case.final_decision_on == date.today()


def test_the_alternative_timescale_becomes_the_deadline_and_is_refused_when_not_later(
        make_case, staff):
    case = make_case(Stage.REVIEW)
    request = _request(case)
    assert refused_codes(ops.set_alternative_timescale, staff.reviewer, case, request,
                         request.received_on + timedelta(days=21), "Waiting") == {
        "timescale_not_later"}
    later = request.received_on + timedelta(days=35)
    ops.set_alternative_timescale(staff.reviewer, case, request, later, "A witness is abroad")
    db.session.commit()
    [response] = _deadline(case, DeadlineKind.REVIEW_RESPONSE)
    assert response.due_on == later


# --- the forms, for every role ---------------------------------------------------------------


def _review_case(make_case):
    return make_case(Stage.REVIEW)


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month),
            f"{prefix}-year": str(day.year)}


def test_the_reviewing_officer_records_the_form_and_the_decision_on_the_case_page(
        client, make_case, staff):
    case = _review_case(make_case)
    request = _request(case)
    sign_in(client, staff.reviewer)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert {"review_form", "review_decision", "review_timescale"} <= _forms_on(page)
    assert "Fictional: the reporting party was not shown a witness statement" in page
    # A new hearing without its date and arrangements: both said, the choice kept.
    missing = _post(client, case, "review_form", {"request": str(request.id),
                                                  "form": "hearing"})
    text = missing.get_data(as_text=True)
    assert missing.status_code == 422
    assert "Enter the date of the new hearing." in text
    assert "Write the arrangements for the new hearing." in text
    assert 'value="hearing" checked' in text
    assert _post(client, case, "review_form", {"request": str(request.id), "form": "paper"}
                 ).status_code == 303
    # A varied penalty without the penalty: refused in words, every answer kept.
    data = {"request": str(request.id), "decision": "vary", "concerns": "penalty",
            "reasons": REASONS, **_date("decided_on", date.today())}
    refused = _post(client, case, "review_decision", data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "choose the penalty that now applies" in text
    assert REASONS in text
    data["sanctions"] = "caution"
    assert _post(client, case, "review_decision", data).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReviewDecision)).decision == "vary"
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Decision (16.10), final" in page and REASONS in page
    assert "decided: the decision is final" in page
    # The same request again (a second click, a stale page): refused, with why.
    again = _post(client, case, "review_decision", {
        "request": str(request.id), "decision": "confirm", "reasons": REASONS,
        **_date("decided_on", date.today())})
    assert again.status_code == 409
    assert "the decision of a review is final (16.11)" in again.get_data(as_text=True)


@pytest.mark.parametrize("bad", [
    {"decided_on-day": "31", "decided_on-month": "2", "decided_on-year": "2026"},
    {"decided_on-day": "1", "decided_on-month": "1", "decided_on-year": "99999"},
    {"decided_on-day": "\x00", "decided_on-month": "1", "decided_on-year": "2026"},
    {"request": "99999999999999999999"},
    {"request": "\x00"},
    {"reasons": ""},
])
def test_bad_input_to_the_decision_gets_a_message_and_keeps_the_input(client, make_case, staff,
                                                                      bad):
    case = _review_case(make_case)
    request = _request(case)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    db.session.commit()
    sign_in(client, staff.reviewer)
    data = {"request": str(request.id), "decision": "confirm", "reasons": "Kept-canary words",
            **_date("decided_on", date.today()), **bad}
    response = _post(client, case, "review_decision", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:500]
    assert 'class="error-summary' in text
    if bad.get("reasons") != "":
        assert "Kept-canary words" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewDecision)) == 0


def test_the_request_form_keeps_its_details_and_needs_them(client, make_case, staff):
    case = make_case(Stage.OUTCOME)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "review_request", {
        "party": str(party(case, PartyRole.REPORTING).id), **_date("received_on", date.today()),
        "grounds": "unreasonable", "details": ""})
    assert response.status_code == 422
    assert "Write the details of the request." in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["director", "caseworker", "centre_director", "investigator",
                                 "other_reviewer"])
def test_nobody_else_is_offered_or_may_record_the_decision(client, make_case, staff, who):
    case = _review_case(make_case)
    request = _request(case)
    user = make_user(Role.REVIEWING_OFFICER) if who == "other_reviewer" else getattr(staff, who)
    sign_in(client, user)
    page = client.get(f"/staff/cases/{case.id}")
    if page.status_code == 404:  # outside their scope: the loader answers 404
        assert who in ("other_reviewer", "investigator")
    else:
        assert "review_decision" not in _forms_on(page.get_data(as_text=True))
    token_page = client.get(f"/staff/cases/{case.id}")
    if token_page.status_code == 200:
        response = _post(client, case, "review_decision", {
            "request": str(request.id), "decision": "confirm", "reasons": REASONS,
            **_date("decided_on", date.today())})
        assert response.status_code in (403, 404, 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewDecision)) == 0


def test_the_reviewing_officers_board_shows_their_review_cases_only(client, make_case, staff):
    mine = _review_case(make_case)
    sign_in(client, staff.reviewer)
    board = client.get("/staff/cases").get_data(as_text=True)
    assert mine.reference in board
    stranger = make_user(Role.REVIEWING_OFFICER)
    sign_in(client, stranger)
    response = client.get("/staff/cases")
    assert response.status_code == 200 and mine.reference not in response.get_data(as_text=True)
    assert client.get(f"/staff/cases/{mine.id}").status_code == 404


def test_the_alternative_timescale_through_its_form_becomes_the_deadline_and_the_letter(
        client, make_case, staff):
    case = _review_case(make_case)
    request = _request(case)
    sign_in(client, staff.reviewer)
    usual = request.received_on + timedelta(days=21)
    too_soon = _post(client, case, "review_timescale", {
        "request": str(request.id), "reason": "Kept-reason", **_date("due_on", usual)})
    text = too_soon.get_data(as_text=True)
    assert too_soon.status_code == 409 and "after the usual deadline (16.6)" in text
    assert "Kept-reason" in text
    later = request.received_on + timedelta(days=45)
    assert _post(client, case, "review_timescale", {
        "request": str(request.id), "reason": "A witness is abroad", **_date("due_on", later)}
    ).status_code == 303
    [response] = _deadline(case, DeadlineKind.REVIEW_RESPONSE)
    db.session.refresh(response)
    assert response.due_on == later and response.status == DeadlineStatus.OPEN
    # The letter that issues it, to the party who asked, states the new date.
    asker = party(case, PartyRole.REPORTING)
    ops.update_party(staff.director, case, asker, ops.PartyDetails(
        role=asker.role, party_type=asker.party_type, name="Robin Asker"))
    db.session.commit()
    preview = client.get(f"/staff/cases/{case.id}/letters/new?kind=alternative_timescale"
                         f"&party={asker.id}&request={request.id}")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "A witness is abroad" in text and str(later.year) in text


@pytest.mark.parametrize("name,data", [
    ("review_form", {"form": "hearing", "hearing_on-day": "1", "hearing_on-month": "1",
                     "hearing_on-year": "9999", "arrangements": "Kept-canary\x00 room"}),
    ("review_form", {"request": "4294967296", "form": "paper"}),
    ("review_timescale", {"due_on-day": "31", "due_on-month": "12", "due_on-year": "9999",
                          "reason": "Kept-canary reason"}),
    ("review_request", {"received_on-day": "1", "received_on-month": "1",
                        "received_on-year": "0001", "grounds": "new_evidence",
                        "details": "Kept-canary\x00 details"}),
])
def test_bad_input_to_the_review_forms_is_said_and_kept(client, make_case, staff, name, data):
    case = _review_case(make_case)
    request = _request(case)
    user = staff.director if name == "review_request" else staff.reviewer
    sign_in(client, user)
    values = {"request": str(request.id), **data}
    if name == "review_request":
        values = {"party": str(party(case, PartyRole.RESPONDING).id), **data}
    response = _post(client, case, name, values)
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:300]
    assert 'class="error-summary' in text
    if "Kept-canary" in repr(data):
        assert "Kept-canary" in text


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXECUTIVE, Role.EDI_OFFICER])
def test_roles_without_cases_are_refused_the_review_forms(client, make_case, role):
    case = _review_case(make_case)
    sign_in(client, make_user(role))
    assert client.get(f"/staff/cases/{case.id}").status_code == 403
    response = client.post(f"/staff/cases/{case.id}/record/review_decision", data={})
    assert response.status_code in (400, 403)
