"""Operations on a case: real database, real rules, every change and refusal audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hsm.audit import AuditEntry
from hsm.cases import operations as ops
from hsm.cases import queries
from hsm.cases.models import Case, CaseParty, Deadline, Measure
from hsm.cases.terms import (
    Agreement,
    ClosureReason,
    DeadlineKind,
    DeadlineStatus,
    MeasureKind,
    PartyRole,
    PartyType,
    ReviewTeamRole,
    Stage,
)
from hsm.extensions import db
from hsm.mail import OutboxMessage, deliver
from hsm.reports import operations as report_ops
from hsm.security import Role
from tests.cases.conftest import Staff, party
from tests.factories import make_user


def refused_codes(call, *args, **kwargs) -> set[str]:
    with pytest.raises(ops.Refused) as refused:
        call(*args, **kwargs)
    db.session.rollback()
    return {r.code for r in refused.value.reasons}


def audited(action: str) -> list[dict]:
    return [e.detail_dict() for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_a_report_opens_a_case_and_its_flags_carry_over(make_report, staff):
    report = make_report(immediate_danger=True, respondent="staff")
    case = ops.open_case_from_report(staff.caseworker, report)
    db.session.commit()
    assert (case.immediate_danger, case.staff_respondent, case.anonymous) == (True, True, False)
    assert case.stage == Stage.RECEIVED and case.report_id == report.id
    reporting = party(case, PartyRole.REPORTING)
    assert reporting.identity_known and reporting.name == "Robin Canary-Surname"
    assert party(case, PartyRole.RESPONDING).party_type == PartyType.STAFF
    # Names are encrypted at rest.
    raw = db.session.execute(sa.text("SELECT name FROM case_party WHERE name IS NOT NULL"))
    assert all("Canary" not in row[0] for row in raw)
    # An urgent report: its first acknowledgement is due the same working day.
    deadline = db.session.scalar(sa.select(Deadline).where(Deadline.case_id == case.id))
    assert deadline.kind == DeadlineKind.REPORT_ACKNOWLEDGEMENT
    assert audited("case.opened")[-1] == {"from": "report", "report_id": report.id}
    # The same report cannot open a second case, and the refusal is audited.
    assert refused_codes(ops.open_case_from_report, staff.caseworker, report) == {
        "report_already_in_a_case"}
    assert audited("case.refused")[-1]["reasons"] == ["report_already_in_a_case"]


def test_an_anonymous_report_opens_a_case_with_the_reporting_party_unknown(make_report, staff):
    report = make_report(anonymous=True, anonymity_reason="privacy", first_name=None,
                         last_name=None, student_number=None, contact_method=None,
                         contact_detail=None)
    case = ops.open_case_from_report(staff.caseworker, report)
    db.session.commit()
    reporting = party(case, PartyRole.REPORTING)
    assert case.anonymous and not reporting.identity_known and reporting.name is None
    facts = queries.facts_for(case)
    assert not facts.reporting_party_known


def test_later_reports_are_linked_from_the_same_centre_only(make_report, make_case, staff):
    case = make_case()
    ops.link_report(staff.caseworker, case, make_report())
    db.session.commit()
    assert refused_codes(ops.link_report, staff.caseworker, case,
                         make_report(centre="paris")) == {"other_centre"}
    outsider = make_user((Role.STUDENT_SERVICES, "paris"))
    assert refused_codes(ops.link_report, outsider, case, make_report()) == {
        "missing_permission"}


def test_a_disclosure_is_recorded_with_its_channel_encrypted(make_case):
    case = make_case()
    assert case.disclosure_channel == "phone"
    raw = db.session.execute(sa.text("SELECT disclosure FROM case_record")).scalar()
    assert "canary" not in raw


def test_two_different_caseworkers_or_a_refusal_that_says_why(make_case, staff):
    case = make_case(Stage.SUPPORT)
    responding = party(case, PartyRole.RESPONDING)
    with pytest.raises(ops.Refused) as refused:
        ops.assign_caseworker(staff.director, case, responding, staff.caseworker)
    assert "different caseworkers" in str(refused.value.reasons[0])
    db.session.rollback()
    assert audited("case.refused")[-1]["reasons"] == ["same_caseworker"]
    ops.assign_caseworker(staff.director, case, responding, staff.second_caseworker)
    db.session.commit()
    # Swapping the reporting party onto the responding student's caseworker is refused too.
    reporting = party(case, PartyRole.REPORTING)
    assert refused_codes(ops.assign_caseworker, staff.director, case, reporting,
                         staff.second_caseworker) == {"same_caseworker"}
    assert refused_codes(ops.assign_caseworker, staff.director, case, reporting,
                         make_user((Role.STUDENT_SERVICES, "paris"))) == {
        "caseworker_not_at_centre"}


def test_informal_resolution_then_formal_only_when_the_wish_to_complain_is_recorded(
        make_case, staff):
    case = make_case(Stage.INFORMAL_RESOLUTION)
    reporting, responding = party(case, PartyRole.REPORTING), party(case, PartyRole.RESPONDING)
    for p in (reporting, responding):
        ops.record_nca_signature(staff.caseworker, case, p, date(2026, 11, 20))
    db.session.commit()
    assert queries.facts_for(case).nca_signed_by_all
    assert refused_codes(ops.move, staff.caseworker, case, Stage.FORMAL_COMPLAINT) == {
        "not_eligible_for_formal", "no_wish_to_complain"}
    ops.record_informal_breach(staff.caseworker, case)
    db.session.commit()
    assert refused_codes(ops.move, staff.caseworker, case, Stage.FORMAL_COMPLAINT) == {
        "no_wish_to_complain"}
    ops.confirm_complaint(staff.caseworker, case)
    ops.move(staff.caseworker, case, Stage.FORMAL_COMPLAINT)
    db.session.commit()
    assert case.stage == Stage.FORMAL_COMPLAINT


def test_a_formal_complaint_tells_the_centre_director_then_the_central_director(
        make_case, staff):
    case = make_case(Stage.SUPPORT)
    ops.confirm_complaint(staff.caseworker, case)
    ops.move(staff.caseworker, case, Stage.FORMAL_COMPLAINT)
    db.session.commit()
    messages = list(db.session.scalars(sa.select(OutboxMessage)))
    assert [m.recipient for m in messages] == [staff.centre_director.email]
    for text in (messages[0].subject, messages[0].body):
        assert case.reference not in text and "canary" not in text.lower()
    assert refused_codes(ops.acknowledge_complaint, staff.caseworker, case) == {
        "missing_permission"}
    ops.acknowledge_complaint(staff.centre_director, case)
    db.session.commit()
    recipients = [m.recipient for m in db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id))]
    assert recipients == [staff.centre_director.email, staff.director.email]
    deadline = db.session.scalar(sa.select(Deadline).where(
        Deadline.kind == DeadlineKind.COMPLAINT_ACKNOWLEDGEMENT))
    assert deadline.status == DeadlineStatus.MET
    assert refused_codes(ops.acknowledge_complaint, staff.centre_director, case) == {
        "already_acknowledged"}


def test_the_case_review_needs_three_counted_members_and_a_people_team_member_for_staff(
        make_case, staff):
    case = make_case(Stage.FORMAL_COMPLAINT, respondent=PartyType.STAFF)
    ops.acknowledge_complaint(staff.centre_director, case)
    ops.record_risk_assessment(staff.caseworker, case, ops.RiskDetails(
        "a", "b", "c", "urgent", date(2026, 12, 10)))
    ops.add_review_member(staff.director, case, ReviewTeamRole.GENERAL_COUNSEL, staff.members[0])
    ops.add_review_member(staff.director, case, ReviewTeamRole.CO_OPTED, None,
                          name="Outside Adviser", organisation="A SARC")
    ops.add_review_member(staff.director, case, ReviewTeamRole.CO_OPTED, staff.members[1])
    db.session.commit()
    assert refused_codes(ops.convene_case_review, staff.director, case) == {
        "too_few_members", "no_people_team_member"}
    assert refused_codes(ops.add_review_member, staff.director, case,
                         ReviewTeamRole.GENERAL_COUNSEL, None, name="X") == {
        "outsider_must_be_co_opted"}
    assert refused_codes(ops.add_review_member, staff.director, case,
                         ReviewTeamRole.GENERAL_COUNSEL, make_user(Role.EXECUTIVE)) == {
        "member_lacks_role"}
    ops.add_review_member(staff.director, case, ReviewTeamRole.CHIEF_ACADEMIC_OFFICER,
                          staff.members[2])
    ops.add_review_member(staff.director, case, ReviewTeamRole.PEOPLE_TEAM, staff.people_team)
    ops.convene_case_review(staff.director, case)
    db.session.commit()
    assert case.stage == Stage.CASE_REVIEW and case.case_review_convened_at is not None


def test_measures_interim_first_then_ratified_by_the_case_review(make_case, staff):
    case = make_case(Stage.FORMAL_COMPLAINT, urgent=True)
    responding = party(case, PartyRole.RESPONDING)
    assert refused_codes(ops.set_measure, staff.director, case, responding,
                         MeasureKind.NO_CONTACT, date(2026, 11, 1)) == {
        "measure_needs_case_review"}
    assert refused_codes(ops.set_measure, staff.caseworker, case, responding,
                         MeasureKind.NO_CONTACT, date(2026, 11, 1), interim=True) == {
        "missing_permission"}
    measure = ops.set_measure(staff.director, case, responding, MeasureKind.NO_CONTACT,
                              date(2026, 11, 1), interim=True)
    db.session.commit()
    assert measure.next_review_on == date(2026, 11, 29)
    waiting = queries.interim_measures_awaiting_ratification(staff.director)
    assert [m.id for m in waiting] == [measure.id]
    assert refused_codes(ops.review_measure, staff.caseworker, case, measure, "continued",
                         "Still needed.") == {"interim_needs_case_review"}
    # Convene, then the case review ratifies it.
    ops.acknowledge_complaint(staff.centre_director, case)
    ops.record_risk_assessment(staff.director, case, ops.RiskDetails(
        "a", "b", "c", "urgent", date(2026, 12, 1)))
    for member, title in staff.people.members:
        ops.add_review_member(staff.director, case, title, member)
    ops.convene_case_review(staff.director, case)
    ops.review_measure(staff.members[0], case, measure, "continued", "Ratified.",
                       date(2026, 11, 20))
    db.session.commit()
    assert measure.ratified_at is not None
    assert measure.next_review_on == date(2026, 12, 18)
    assert queries.interim_measures_awaiting_ratification(staff.director) == []
    # Representations (13.8) bring the review forward.
    ops.record_representations(staff.caseworker, case, measure)
    db.session.commit()
    assert measure.review_requested_at is not None
    ops.review_measure(staff.caseworker, case, measure, "lifted", "No longer needed.")
    db.session.commit()
    assert measure.status == "lifted" and measure.next_review_on is None
    open_reviews = db.session.scalar(sa.select(sa.func.count()).select_from(Deadline).where(
        Deadline.measure_id == measure.id, Deadline.status == DeadlineStatus.OPEN))
    assert open_reviews == 0


def test_a_suspension_needs_the_responding_partys_own_caseworker(make_case, staff):
    case = make_case(Stage.CASE_REVIEW)
    responding = party(case, PartyRole.RESPONDING)
    assert refused_codes(ops.set_measure, staff.director, case, responding,
                         MeasureKind.INTERIM_SUSPENSION, date(2026, 11, 1)) == {
        "suspension_needs_own_caseworker"}
    ops.assign_caseworker(staff.director, case, responding, staff.second_caseworker)
    ops.set_measure(staff.director, case, responding, MeasureKind.INTERIM_SUSPENSION,
                    date(2026, 11, 1))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Measure)) == 1


def test_officers_must_have_no_involvement(make_case, staff):
    case = make_case(Stage.CASE_REVIEW)
    ops.record_decisions(staff.director, case, ops.Decisions(
        date(2026, 11, 20), "r", "s", "student_disciplinary", ("police",), True))
    db.session.commit()
    member_officer = make_user(Role.INVESTIGATING_OFFICER, Role.CASE_REVIEW_MEMBER)
    ops.add_review_member(staff.director, case, ReviewTeamRole.GENERAL_COUNSEL, member_officer)
    db.session.commit()
    assert refused_codes(ops.appoint_officer, staff.director, case, member_officer,
                         "investigating") == {"involved_case_review_member"}
    assert refused_codes(ops.appoint_officer, staff.director, case, staff.reviewer,
                         "investigating") == {"officer_lacks_role"}
    ops.appoint_officer(staff.director, case, staff.investigator, "investigating")
    ops.move(staff.director, case, Stage.INVESTIGATION)
    db.session.commit()
    # The Investigating Officer can never become the Reviewing Officer, nor a caseworker.
    both = make_user(Role.INVESTIGATING_OFFICER, Role.REVIEWING_OFFICER)
    ops.appoint_officer(staff.director, case, both, "investigating")
    db.session.commit()
    assert refused_codes(ops.appoint_officer, staff.director, case, both, "reviewing") == {
        "involved_investigating_officer"}
    assert "officer_cannot_take_part" in refused_codes(
        ops.add_review_member, staff.director, case, ReviewTeamRole.GENERAL_COUNSEL,
        staff.investigator)


def test_a_stale_or_repeated_move_changes_nothing_and_says_so(make_case, staff):
    case = make_case(Stage.SUPPORT)
    version = case.version
    ops.close(staff.caseworker, case, ClosureReason.SUPPORT_ONLY, expected=Stage.SUPPORT)
    db.session.commit()
    assert case.stage == Stage.CLOSED and case.closure_reason == ClosureReason.SUPPORT_ONLY
    assert case.version > version
    with pytest.raises(ops.StaleMove):
        ops.close(staff.caseworker, case, ClosureReason.SUPPORT_ONLY, expected=Stage.SUPPORT)
    db.session.commit()
    assert audited("case.refused")[-1]["reasons"] == ["stale"]
    assert len(audited("case.moved")) == 2  # received -> support, support -> closed


def test_the_conditional_update_lets_one_of_two_racing_moves_win(make_case, staff):
    case = make_case(Stage.SUPPORT)
    # Someone else, on another connection, closes it after our page was loaded.
    with db.engine.begin() as other:
        other.execute(sa.update(Case).where(Case.id == case.id).values(
            stage=Stage.CLOSED, closure_reason="withdrawn"))
    with pytest.raises(ops.StaleMove) as stale:
        ops.move(staff.caseworker, case, Stage.CLOSED, ClosureReason.SUPPORT_ONLY,
                 expected=Stage.SUPPORT)
    assert (stale.value.expected, stale.value.current) == ("support", "closed")
    assert case.closure_reason == "withdrawn"
    assert audited("case.refused")[-1]["reasons"] == ["stale"]


def test_police_hold_waits_the_investigation_while_measure_reviews_go_on(make_case, staff):
    case = make_case(Stage.CASE_REVIEW)
    measure = ops.set_measure(staff.director, case, party(case, PartyRole.RESPONDING),
                              MeasureKind.NO_CONTACT, date(2026, 11, 1))
    ops.set_police_hold(staff.director, case, True)
    ops.record_decisions(staff.director, case, ops.Decisions(
        date(2026, 11, 20), "r", "s", "student_disciplinary", recommend_investigation=True))
    ops.appoint_officer(staff.director, case, staff.investigator, "investigating")
    db.session.commit()
    assert refused_codes(ops.move, staff.director, case, Stage.INVESTIGATION) == {"police_hold"}
    ops.review_measure(staff.caseworker, case, measure, "continued", "Still needed.")
    ops.set_police_hold(staff.director, case, False)
    ops.move(staff.director, case, Stage.INVESTIGATION)
    db.session.commit()
    assert case.stage == Stage.INVESTIGATION


def test_after_an_interruption_the_case_resumes_only_with_both_consents(make_case, staff):
    case = make_case(Stage.SUPPORT)
    ops.pause(staff.caseworker, case)
    db.session.commit()
    assert refused_codes(ops.move, staff.caseworker, case, Stage.INFORMAL_RESOLUTION) >= {
        "paused"}
    assert refused_codes(ops.resume, staff.caseworker, case) == {"no_resume_consent"}
    ops.record_resume_consent(staff.caseworker, case, party(case, PartyRole.REPORTING))
    db.session.commit()
    assert refused_codes(ops.resume, staff.caseworker, case) == {"no_resume_consent"}
    ops.record_resume_consent(staff.caseworker, case, party(case, PartyRole.RESPONDING))
    ops.resume(staff.caseworker, case)
    db.session.commit()
    assert not case.paused


def test_closing_cancels_open_deadlines_and_the_letter_deadline_follows_the_decision(
        make_case, staff):
    case = make_case(Stage.OUTCOME)
    ops.record_final_decision(staff.director, case, date(2026, 11, 2))
    ops.close(staff.director, case, ClosureReason.OUTCOME_ISSUED)
    db.session.commit()
    letter = db.session.scalar(sa.select(Deadline).where(
        Deadline.kind == DeadlineKind.COMPLETION_LETTER))
    assert letter.due_on == date(2026, 11, 30) and letter.status == DeadlineStatus.OPEN
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deadline).where(
        Deadline.case_id == case.id, Deadline.status == DeadlineStatus.OPEN,
        Deadline.kind != DeadlineKind.COMPLETION_LETTER)) == 0


def test_review_request_deadlines_and_an_alternative_timescale(make_case, staff):
    case = make_case(Stage.REVIEW)
    request = db.session.scalar(sa.select(ops.ReviewRequest))
    deadlines = {d.kind: d for d in db.session.scalars(sa.select(Deadline).where(
        Deadline.review_request_id == request.id))}
    assert deadlines[DeadlineKind.REVIEW_RESPONSE].due_on == request.received_on + timedelta(21)
    later = request.received_on + timedelta(days=40)
    assert refused_codes(ops.set_alternative_timescale, staff.reviewer, case, request, later,
                         " ") == {"text_missing"}
    ops.set_alternative_timescale(staff.reviewer, case, request, later, "Waiting for evidence")
    ops.acknowledge_review_request(staff.reviewer, case, request)
    db.session.commit()
    assert deadlines[DeadlineKind.REVIEW_RESPONSE].due_on == later
    assert deadlines[DeadlineKind.REVIEW_ACKNOWLEDGEMENT].status == DeadlineStatus.MET
    # The Reviewing Officer sees it in "My deadlines"; a colleague without it does not.
    mine = {i.kind for i in queries.my_deadlines(staff.reviewer, ops.now())}
    assert mine == {DeadlineKind.REVIEW_RESPONSE}
    assert queries.my_deadlines(make_user(Role.REVIEWING_OFFICER), ops.now()) == []
    ops.close(staff.reviewer, case, ClosureReason.REVIEW_DECIDED)
    db.session.commit()
    assert case.stage == Stage.CLOSED


def test_parties_with_staff_accounts_are_conflicted_and_staff_respondents_flag_the_case(
        make_case, staff):
    case = make_case(Stage.SUPPORT)
    colleague = make_user((Role.STUDENT_SERVICES, "uk"))
    ops.add_party(staff.caseworker, case, ops.PartyDetails(
        role=PartyRole.WITNESS, party_type=PartyType.STAFF, name="Witness", user=colleague))
    db.session.commit()
    assert not queries.may_see(colleague, case)
    assert not case.staff_respondent  # a staff witness is not a staff respondent
    ops.add_party(staff.caseworker, case, ops.PartyDetails(
        role=PartyRole.RESPONDING, party_type=PartyType.STAFF))
    db.session.commit()
    assert case.staff_respondent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseParty).where(
        CaseParty.case_id == case.id)) == 4
    assert refused_codes(ops.assign_caseworker, staff.director, case,
                         party(case, PartyRole.REPORTING), colleague) == {
        "caseworker_conflicted"}


def test_support_plan_items_use_the_centres_helplines(make_case, staff):
    case = make_case(Stage.SUPPORT)
    reporting = party(case, PartyRole.REPORTING)
    item = ops.add_support_item(staff.caseworker, case, reporting, "helpline",
                                helpline_id="samaritans")
    ops.set_support_status(staff.caseworker, case, item, "in_place")
    ops.add_support_item(staff.caseworker, case, reporting, "extenuating_circumstances")
    db.session.commit()
    assert refused_codes(ops.add_support_item, staff.caseworker, case, reporting, "helpline",
                         helpline_id="not-a-line") == {"unknown_helpline"}
    assert item.status == "in_place"


def test_informal_answers_are_recorded_per_party(make_case, staff):
    case = make_case(Stage.SUPPORT)
    ops.record_informal_answer(staff.caseworker, case, party(case, PartyRole.REPORTING),
                               Agreement.AGREED)
    ops.record_informal_answer(staff.caseworker, case, party(case, PartyRole.RESPONDING),
                               Agreement.DECLINED)
    db.session.commit()
    facts = queries.facts_for(case)
    assert facts.informal_declined and facts.eligible_for_formal
    assert refused_codes(ops.move, staff.caseworker, case, Stage.INFORMAL_RESOLUTION) == {
        "informal_declined"}


def test_the_reports_caseworker_carries_over_to_the_reporting_party(make_report, staff):
    report = make_report()
    report_ops.assign(staff.caseworker, report, staff.second_caseworker)
    db.session.commit()
    case = ops.open_case_from_report(staff.caseworker, report)
    db.session.commit()
    assert queries.facts_for(case).reporting_caseworker == staff.second_caseworker.id


def test_emails_are_written_in_the_centres_language(mail):
    paris = Staff("paris")
    case = ops.record_disclosure(paris.caseworker, "paris", ops.Disclosure(
        channel="email", disclosure="Paris", disclosed_on=date(2026, 11, 2)))
    ops.assign_caseworker(paris.caseworker, case, party(case, PartyRole.REPORTING),
                          paris.caseworker)
    ops.confirm_complaint(paris.caseworker, case)
    db.session.commit()
    deliver(list(db.session.scalars(sa.select(OutboxMessage.id))))
    [message] = list(mail)
    assert message["To"] == paris.centre_director.email
    assert message["Subject"] == "Une plainte formelle attend votre accusé de réception"
    assert "\u202f:" in message.get_content()


def test_a_complaint_about_an_unidentified_member_of_staff_goes_to_the_people_team(
        make_case, staff):
    people_team = make_user(Role.PEOPLE_TEAM)
    case = make_case(Stage.SUPPORT, respondent=PartyType.STAFF)
    ops.confirm_complaint(staff.caseworker, case)
    db.session.commit()
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert recipients == {people_team.email, staff.people_team.email}
    assert staff.centre_director.email not in recipients
