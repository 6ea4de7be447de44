"""The case workflow table: every legal move passes, everything else is refused with reasons."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from hsm import workflow as core
from hsm.cases import workflow
from hsm.cases.terms import ClosureReason, MeasureKind, Stage
from hsm.security import Permission

ALL = frozenset(str(p) for p in Permission)
READY = workflow.Facts(
    reporting_caseworker=1, responding_student_caseworkers=(2,), responding_parties=1,
    reporting_agreement="agreed", responding_agreements=("agreed",), nca_signed_by_all=True,
    informal_breach=True, wish_to_complain=True, director_acknowledged=True,
    central_director_notified=True, risk_assessment=True, counted_members=3,
    people_team_member=True, convened=True, decisions_recorded=True,
    investigation_recommended=True, investigating_officers=(10,), reviewing_officers=(11,),
    involvement={10: frozenset({"investigating_officer"}), 11: frozenset({"reviewing_officer"})},
    review_requested=True, resume_consent_all=True, urgent=True, conclusion="breach",
    loop_closed=True, committee=(12,), hearing_decided=True,
)


def at(stage: Stage, **changes) -> workflow.Facts:
    return dataclasses.replace(READY, stage=stage, **changes)


def codes(facts, target, granted=ALL, reason=None) -> set[str]:
    try:
        workflow.check_move(facts, target, granted, reason)
    except core.Refused as refused:
        return {r.code for r in refused.reasons} or {"not_a_move"}
    return set()


@pytest.mark.parametrize("transition", workflow.WORKFLOW.transitions,
                         ids=lambda t: f"{t.source}->{t.target}")
def test_every_legal_move_passes_when_its_rules_are_met(transition):
    reason = ClosureReason.DISMISSED_WITH_SUPPORT if transition.needs_reason else None
    facts = at(Stage(transition.source))
    assert workflow.check_move(facts, transition.target, ALL, reason) is transition
    # ... and is refused without its permission, saying so.
    without = ALL - {transition.permission}
    assert "missing_permission" in codes(facts, transition.target, without, reason)


@pytest.mark.parametrize(("source", "target"), [
    (s, t) for s, t in itertools.product(Stage, Stage) if (s, t) not in workflow.TRANSITIONS
])
def test_every_other_move_is_refused(source, target):
    with pytest.raises(core.NotAMove):
        workflow.check_move(at(source), target, ALL, ClosureReason.WITHDRAWN)


def test_the_stages_and_their_order():
    assert [str(s) for s in Stage] == [
        "received", "support", "informal_resolution", "formal_complaint", "case_review",
        "investigation", "hearing", "outcome", "review", "closed"]
    # Every open stage can be closed.
    assert all((s, Stage.CLOSED) in workflow.TRANSITIONS for s in Stage if s is not Stage.CLOSED)


def test_closed_always_has_a_reason():
    facts = at(Stage.SUPPORT)
    assert codes(facts, Stage.CLOSED) == {"reason_missing"}
    assert codes(facts, Stage.CLOSED, reason="because") == {"closure_reason_unknown"}
    for reason in ClosureReason:
        assert codes(facts, Stage.CLOSED, reason=reason) == set()


@pytest.mark.parametrize("stage", [s for s in Stage if s is not Stage.CLOSED])
def test_any_case_may_close_as_dismissed_with_continued_support(stage):
    granted = ALL
    assert codes(at(stage), Stage.CLOSED, granted, ClosureReason.DISMISSED_WITH_SUPPORT) == set()


def test_support_needs_the_reporting_partys_caseworker():
    assert codes(at(Stage.RECEIVED, reporting_caseworker=None), Stage.SUPPORT) == {
        "no_reporting_caseworker"}


def test_informal_resolution_needs_both_parties_agreement():
    assert codes(at(Stage.SUPPORT, responding_agreements=(None,)), Stage.INFORMAL_RESOLUTION) == {
        "informal_not_agreed"}
    assert codes(at(Stage.SUPPORT, reporting_agreement="declined"),
                 Stage.INFORMAL_RESOLUTION) == {"informal_declined"}
    assert "reporting_party_unknown" in codes(
        at(Stage.SUPPORT, reporting_party_known=False), Stage.INFORMAL_RESOLUTION)
    assert "no_responding_party" in codes(
        at(Stage.SUPPORT, responding_parties=0, responding_agreements=()),
        Stage.INFORMAL_RESOLUTION)


def test_informal_to_formal_only_when_eligible_and_the_wish_to_complain_is_recorded():
    agreed = at(Stage.INFORMAL_RESOLUTION, informal_breach=False)
    assert codes(agreed, Stage.FORMAL_COMPLAINT) == {"not_eligible_for_formal"}
    # A breach (9.4) makes it eligible; it still moves only with the wish to complain (10.1).
    breach = at(Stage.INFORMAL_RESOLUTION, informal_breach=True, wish_to_complain=False)
    assert codes(breach, Stage.FORMAL_COMPLAINT) == {"no_wish_to_complain"}
    declined = at(Stage.INFORMAL_RESOLUTION, informal_breach=False,
                  responding_agreements=("declined",))
    assert codes(declined, Stage.FORMAL_COMPLAINT) == set()
    assert codes(at(Stage.SUPPORT, wish_to_complain=False), Stage.FORMAL_COMPLAINT) == {
        "no_wish_to_complain"}


def test_case_review_needs_acknowledgement_assessment_and_three_counted_members():
    facts = at(Stage.FORMAL_COMPLAINT, director_acknowledged=False,
               central_director_notified=False, risk_assessment=False, counted_members=2)
    assert codes(facts, Stage.CASE_REVIEW) == {
        "director_not_acknowledged", "central_director_not_notified", "no_risk_assessment",
        "too_few_members"}
    staff = at(Stage.FORMAL_COMPLAINT, staff_respondent=True, people_team_member=False)
    assert codes(staff, Stage.CASE_REVIEW) == {"no_people_team_member"}
    assert codes(at(Stage.FORMAL_COMPLAINT, staff_respondent=False, people_team_member=False),
                 Stage.CASE_REVIEW) == set()


def test_investigation_needs_a_recommendation_and_a_non_involved_officer():
    facts = at(Stage.CASE_REVIEW, investigating_officers=())
    assert codes(facts, Stage.INVESTIGATION) == {"no_investigating_officer"}
    for how in ("party", "witness", "caseworker", "case_review_member", "reviewing_officer"):
        involved = at(Stage.CASE_REVIEW, involvement={10: frozenset({"investigating_officer",
                                                                     how})})
        assert codes(involved, Stage.INVESTIGATION) == {"investigating_officer_involved"}, how
    assert codes(at(Stage.CASE_REVIEW, investigation_recommended=False),
                 Stage.INVESTIGATION) == {"investigation_not_recommended"}
    assert codes(at(Stage.CASE_REVIEW, decisions_recorded=False), Stage.INVESTIGATION) == {
        "no_decisions"}


def test_police_hold_stops_the_investigation_not_the_other_work():
    assert codes(at(Stage.CASE_REVIEW, police_hold=True), Stage.INVESTIGATION) == {"police_hold"}
    assert codes(at(Stage.INVESTIGATION, police_hold=True), Stage.HEARING) == {"police_hold"}
    # Measures are still reviewed and the case can still close.
    assert codes(at(Stage.CASE_REVIEW, police_hold=True), Stage.CLOSED,
                 reason=ClosureReason.WITHDRAWN) == set()
    hold = at(Stage.CASE_REVIEW)
    assert [r.code for r in workflow.police_hold_reasons(hold, on=True, granted=ALL)] == []
    assert [r.code for r in workflow.police_hold_reasons(
        at(Stage.CASE_REVIEW, police_hold=True), on=True, granted=ALL)] == [
        "already_on_police_hold"]
    assert "missing_permission" in {r.code for r in workflow.police_hold_reasons(
        hold, on=True, granted=ALL - {Permission.CONVENE_CASE_REVIEW})}


def test_a_paused_case_moves_only_to_closed_and_resumes_with_both_consents():
    paused = at(Stage.SUPPORT, paused=True)
    assert codes(paused, Stage.FORMAL_COMPLAINT) == {"paused"}
    assert codes(paused, Stage.CLOSED, reason=ClosureReason.WITHDRAWN) == set()
    no_consent = at(Stage.SUPPORT, paused=True, resume_consent_all=False)
    assert [r.code for r in workflow.pause_reasons(no_consent, on=False, granted=ALL)] == [
        "no_resume_consent"]
    assert workflow.pause_reasons(paused, on=False, granted=ALL) == []
    assert [r.code for r in workflow.pause_reasons(paused, on=True, granted=ALL)] == [
        "already_paused"]


def test_review_needs_a_request_and_a_reviewing_officer_with_no_earlier_involvement():
    assert codes(at(Stage.OUTCOME, review_requested=False), Stage.REVIEW) == {
        "no_review_request"}
    assert codes(at(Stage.OUTCOME, reviewing_officers=()), Stage.REVIEW) == {
        "no_reviewing_officer"}
    earlier = at(Stage.OUTCOME, involvement={11: frozenset({"reviewing_officer",
                                                            "investigating_officer"})})
    assert codes(earlier, Stage.REVIEW) == {"reviewing_officer_involved"}


def test_caseworkers_must_be_two_different_people():
    def reasons(**kw):
        values = {"for_reporting_party": False, "candidate": 1, "reporting_caseworker": 1,
                  "responding_student_caseworkers": (), "at_centre": True, "conflicted": False}
        return [r.code for r in workflow.caseworker_reasons(**values | kw)]

    assert reasons() == ["same_caseworker"]
    assert reasons(candidate=2) == []
    assert reasons(for_reporting_party=True, reporting_caseworker=None,
                   responding_student_caseworkers=(1,)) == ["same_caseworker"]
    assert reasons(candidate=2, at_centre=False, conflicted=True) == [
        "caseworker_not_at_centre", "caseworker_conflicted"]


def test_measures_other_than_interim_need_a_case_review_of_three():
    def reasons(facts, **kw):
        values = {"kind": MeasureKind.NO_CONTACT, "interim": False, "party_is_staff": False,
                  "party_has_own_caseworker": True, "granted": ALL}
        return {r.code for r in workflow.measure_reasons(facts, **values | kw)}

    early = at(Stage.FORMAL_COMPLAINT, convened=False, counted_members=0)
    assert reasons(early) == {"measure_needs_case_review"}
    assert reasons(early, interim=True) == set()
    assert reasons(at(Stage.CASE_REVIEW, counted_members=2)) == {"measure_needs_case_review"}
    assert reasons(early, interim=True, granted=ALL - {Permission.SET_INTERIM_MEASURES}) == {
        "missing_permission"}
    assert reasons(at(Stage.SUPPORT, urgent=False, convened=False), interim=True) == {
        "interim_needs_urgent"}
    assert reasons(READY, kind=MeasureKind.INTERIM_SUSPENSION,
                   party_has_own_caseworker=False) == {"suspension_needs_own_caseworker"}
    assert reasons(READY, kind=MeasureKind.STAFF_ADJUSTED_DUTIES) == {"staff_measure_for_staff"}
    assert reasons(READY, party_is_staff=True) == {"student_measure_for_staff"}
    assert reasons(READY, kind=MeasureKind.STAFF_SUSPENSION, party_is_staff=True,
                   granted={Permission.MANAGE_STAFF_MEASURES}) == set()


def test_every_reason_has_words():
    facts = workflow.Facts(paused=True, police_hold=True, staff_respondent=True)
    for transition in workflow.WORKFLOW.transitions:
        for reason in transition.reasons(dataclasses.replace(facts, stage=transition.source),
                                         frozenset()):
            assert str(reason).strip(), reason.code
