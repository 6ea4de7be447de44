"""Random sequences of real operations on a real case, with the invariants checked after each.

Hypothesis drives the operations (each may be refused: a refusal is a normal outcome) and
after every step checks, from the database:
- the reporting party and a responding student never share a caseworker;
- no measure other than an interim one exists without a case review of at least 3 counted
  members;
- no case is in investigation without an appointed Investigating Officer with no other
  involvement;
- a closed case always has a closure reason.
Bounded for CI: few examples, short runs.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hsm.accounts.models import User
from hsm.cases import demo, queries
from hsm.cases import operations as ops
from hsm.cases import workflow as case_workflow
from hsm.cases.models import Case, CaseParty, CaseReviewMember, Measure
from hsm.cases.terms import (
    ClosureReason,
    MeasureKind,
    MeasureStatus,
    PartyRole,
    PartyType,
    ReviewTeamRole,
    Stage,
)
from hsm.extensions import db
from tests.cases.conftest import Staff

TITLES = [t for t in ReviewTeamRole if t is not ReviewTeamRole.CO_OPTED]


class CaseMachine(RuleBasedStateMachine):
    _staff: Staff | None = None

    @classmethod
    def staff_once(cls) -> Staff:
        """One set of staff for the whole run (the database is cleaned after the test)."""
        cached = cls._staff
        if cached is None or db.session.get(User, cached.director.id) is None:
            cls._staff = Staff("uk")
        return cls._staff

    @initialize(urgent=st.booleans(), staff_respondent=st.booleans(),
                start=st.sampled_from(list(Stage)))
    def open_case(self, urgent, staff_respondent, start):
        """A case opened from a disclosure and taken, for real, to a random stage."""
        self.staff = self.staff_once()
        self.pool = [self.staff.caseworker, self.staff.second_caseworker,
                     *self.staff.members, self.staff.people_team, self.staff.investigator,
                     self.staff.reviewer, self.staff.centre_director]
        case = ops.record_disclosure(self.staff.caseworker, "uk", ops.Disclosure(
            channel="phone", disclosure="Stateful", disclosed_on=date(2026, 11, 1),
            responding_party_type=PartyType.STAFF if staff_respondent else PartyType.STUDENT,
            immediate_danger=urgent))
        people = self.staff.people
        if staff_respondent:
            people.members += ((self.staff.people_team, ReviewTeamRole.PEOPLE_TEAM),)
        demo.advance_to(case, start, people, date(2026, 11, 20))
        db.session.commit()
        self.case_id = case.id

    # --- helpers ----------------------------------------------------------------------------

    def _case(self) -> Case:
        return db.session.get(Case, self.case_id)

    def _parties(self, role=None) -> list[CaseParty]:
        query = sa.select(CaseParty).where(CaseParty.case_id == self.case_id)
        if role:
            query = query.where(CaseParty.role == role)
        return list(db.session.scalars(query.order_by(CaseParty.id)))

    def _try(self, call, *args, **kwargs):
        try:
            call(*args, **kwargs)
            db.session.commit()
        except ops.Refused:
            db.session.rollback()

    # --- rules ------------------------------------------------------------------------------

    @rule(who=st.integers(0, 1), which=st.integers(0, 2), for_reporting=st.booleans())
    def assign_caseworker(self, who, which, for_reporting):
        parties = self._parties(PartyRole.REPORTING if for_reporting else PartyRole.RESPONDING)
        worker = [self.staff.caseworker, self.staff.second_caseworker, self.staff.director][which]
        self._try(ops.assign_caseworker, self.staff.director, self._case(),
                  parties[who % len(parties)], worker)

    @rule(party_type=st.sampled_from([PartyType.STUDENT, PartyType.STAFF, PartyType.UNKNOWN]))
    def add_responding_party(self, party_type):
        self._try(ops.add_party, self.staff.caseworker, self._case(),
                  ops.PartyDetails(role=PartyRole.RESPONDING, party_type=party_type))

    @rule(answer=st.sampled_from(["agreed", "declined"]), reporting=st.booleans())
    def informal_answer(self, answer, reporting):
        party = self._parties(PartyRole.REPORTING if reporting else PartyRole.RESPONDING)[0]
        self._try(ops.record_informal_answer, self.staff.caseworker, self._case(), party, answer)

    @rule()
    def breach(self):
        self._try(ops.record_informal_breach, self.staff.caseworker, self._case())

    @rule()
    def formal_complaint_steps(self):
        case = self._case()
        self._try(ops.confirm_complaint, self.staff.caseworker, case)
        self._try(ops.acknowledge_complaint, self.staff.centre_director, self._case())
        self._try(ops.record_risk_assessment, self.staff.caseworker, self._case(),
                  ops.RiskDetails("a", "b", "c", "routine", date(2026, 12, 1)))

    @rule(who=st.integers(0, 8), title=st.sampled_from(TITLES), co_opted=st.booleans())
    def add_member(self, who, title, co_opted):
        title = ReviewTeamRole.CO_OPTED if co_opted else title
        if who == 8:
            self._try(ops.add_review_member, self.staff.director, self._case(),
                      ReviewTeamRole.CO_OPTED, None, name="Outside adviser")
        else:
            self._try(ops.add_review_member, self.staff.director, self._case(), title,
                      self.pool[who])

    @rule(index=st.integers(0, 5))
    def remove_member(self, index):
        members = list(db.session.scalars(sa.select(CaseReviewMember).where(
            CaseReviewMember.case_id == self.case_id).order_by(CaseReviewMember.id)))
        if members:
            self._try(ops.remove_review_member, self.staff.director, self._case(),
                      members[index % len(members)])

    @rule(recommend=st.booleans())
    def decisions(self, recommend):
        self._try(ops.record_decisions, self.staff.director, self._case(), ops.Decisions(
            date(2026, 11, 20), "r", "s", "student_disciplinary",
            recommend_investigation=recommend))

    @rule(who=st.integers(0, 8), role=st.sampled_from(["investigating", "reviewing"]))
    def appoint(self, who, role):
        self._try(ops.appoint_officer, self.staff.director, self._case(), self.pool[who], role)

    @rule(who=st.integers(0, 8))
    def conflict(self, who):
        self._try(ops.declare_conflict, self.staff.director, self._case(), self.pool[who],
                  "colleague")

    @rule(kind=st.sampled_from(list(MeasureKind)), interim=st.booleans(), index=st.integers(0, 2))
    def set_measure(self, kind, interim, index):
        responding = self._parties(PartyRole.RESPONDING)
        self._try(ops.set_measure, self.staff.director, self._case(),
                  responding[index % len(responding)], kind, date(2026, 11, 1), interim=interim)

    @rule(outcome=st.sampled_from(["continued", "varied", "lifted"]), index=st.integers(0, 3))
    def review_measure(self, outcome, index):
        measures = list(db.session.scalars(sa.select(Measure).where(
            Measure.case_id == self.case_id).order_by(Measure.id)))
        if measures:
            self._try(ops.review_measure, self.staff.members[0], self._case(),
                      measures[index % len(measures)], outcome, "note")

    @rule(index=st.integers(0, 3))
    def move_on(self, index):
        """One of the moves the table offers from here (a random target rarely is one)."""
        case = self._case()
        offered = case_workflow.WORKFLOW.transitions_from(case.stage)
        transition = offered[index % len(offered)]
        reason = ClosureReason.DISMISSED_WITH_SUPPORT if transition.needs_reason else None
        self._try(ops.move, self.staff.director, case, transition.target, reason)

    @rule(stage=st.sampled_from(list(Stage)),
          reason=st.sampled_from([None, "", "because", *ClosureReason]))
    def move(self, stage, reason):
        self._try(ops.move, self.staff.director, self._case(), stage, reason)

    @rule(on=st.booleans())
    def police_hold(self, on):
        self._try(ops.set_police_hold, self.staff.director, self._case(), on)

    @rule(step=st.sampled_from(["pause", "consent", "resume"]))
    def interruption(self, step):
        case = self._case()
        if step == "pause":
            self._try(ops.pause, self.staff.caseworker, case)
        elif step == "resume":
            self._try(ops.resume, self.staff.caseworker, case)
        else:
            for party in self._parties(PartyRole.REPORTING) + self._parties(PartyRole.RESPONDING):
                self._try(ops.record_resume_consent, self.staff.caseworker, self._case(), party)

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def two_different_caseworkers(self):
        facts = queries.facts_for(self._case())
        assert case_workflow.caseworkers_distinct(facts), facts

    @invariant()
    def no_full_measure_without_a_case_review_of_three(self):
        facts = queries.facts_for(self._case())
        measures = list(db.session.scalars(sa.select(Measure).where(
            Measure.case_id == self.case_id, Measure.status == MeasureStatus.ACTIVE)))
        for measure in measures:
            if not measure.interim or measure.ratified_at is not None:
                assert facts.convened and facts.counted_members >= 3, measure.kind

    @invariant()
    def no_investigation_without_a_non_involved_officer(self):
        case = self._case()
        if case.stage == Stage.INVESTIGATION:
            facts = queries.facts_for(case)
            assert facts.investigating_officers
            assert not [u for u in facts.investigating_officers
                        if facts.involved_as(u, ignore=("investigating_officer",))]

    @invariant()
    def a_closed_case_has_a_reason(self):
        case = self._case()
        event(f"reached {case.stage}")  # shown by --hypothesis-show-statistics
        if case.stage == Stage.CLOSED:
            assert case.closure_reason in set(ClosureReason)
        else:
            assert case.closure_reason is None


CaseMachine.TestCase.settings = settings(
    max_examples=12, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TestCaseMachine = CaseMachine.TestCase
