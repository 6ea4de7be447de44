"""The one table of what can be recorded on a case page, and how each record is made.

An ``Action`` names its form, the part of the page it sits in, the permissions that show it
(any of them), when in the procedure it applies, and ``run``: the call of ``operations`` that
makes the record. The operations check the permission and the policy's rules again and refuse
with their reasons, so the table decides what is *offered*, never what is *allowed*.

The view (``views/case.py``) is the same for every action: load the case in scope, bind the
form with its prefix, validate, run, and answer with the page (or, for htmx, the action's own
form and the records that changed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from hsm.accounts.models import User
from hsm.cases import forms as f
from hsm.cases import operations as op
from hsm.cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    Deadline,
    EvidenceItem,
    InvestigationMeeting,
    Measure,
    ReviewRequest,
    SupportItem,
)
from hsm.cases.queries import Section
from hsm.cases.terms import DeadlineKind, DeadlineStatus, Marking, Stage
from hsm.cases.workflow import Facts
from hsm.extensions import db
from hsm.i18n import _l
from hsm.letters import operations as letter_ops
from hsm.letters.models import Outcome
from hsm.reports.models import Report
from hsm.security import Permission

P = Permission
OPEN = frozenset(s for s in Stage if s is not Stage.CLOSED)
#: The parts of the page that hold actions but are not a section of records.
PROCEDURE = "procedure"


@dataclass(frozen=True)
class Action:
    name: str
    place: str  # a ``Section`` or PROCEDURE
    permissions: tuple[Permission, ...]
    form: type[f.CaseForm]
    title: object  # the words of its heading and button
    run: Callable[[User, Case, f.CaseForm], object]
    done: object  # what is said once it is recorded
    stages: frozenset[str] = OPEN
    when: Callable[[Case, Facts], bool] = lambda case, facts: True
    #: A file upload: its form posts to its own route, with its own body limit.
    upload: bool = False
    #: Offered only to the case's appointed Reviewing Officer (16.6), whatever else one holds.
    reviewing_officer_only: bool = False


def _party(case: Case, form_field) -> CaseParty:
    party = db.session.get(CaseParty, int(form_field.data))
    if party is None or party.case_id != case.id:
        raise LookupError("party")
    return party


def _user(form_field) -> User | None:
    return db.session.get(User, int(form_field.data)) if form_field.data else None


def _item(model, case: Case, form_field):
    item = db.session.get(model, int(form_field.data))
    if item is None or item.case_id != case.id:
        raise LookupError(model.__name__)
    return item


def _add_party(actor, case, form: f.PartyForm):
    return op.add_party(actor, case, op.PartyDetails(
        role=form.role.data, party_type=form.party_type.data, name=form.name.data or None,
        student_number=form.student_number.data or None, contact=form.contact.data or None,
        preferred_language=form.preferred_language.data, user=_user(form.staff_account)))


def _risk(actor, case, form: f.RiskForm):
    return op.record_risk_assessment(actor, case, op.RiskDetails(
        risk_to_reporting_party=form.risk_to_reporting_party.data,
        risk_to_responding_party=form.risk_to_responding_party.data,
        risk_to_others=form.risk_to_others.data, urgency=form.urgency.data,
        next_review_on=form.next_review_on.data))


def _member(actor, case, form: f.MemberForm):
    return op.add_review_member(actor, case, form.role_title.data, _user(form.user),
                                name=form.name.data or None,
                                organisation=form.organisation.data or None)


def _decisions(actor, case, form: f.DecisionsForm):
    return op.record_decisions(actor, case, op.Decisions(
        met_on=form.met_on.data, risks=form.risks.data, support_needs=form.support_needs.data,
        internal_procedure=form.internal_procedure.data,
        external_referrals=tuple(form.external_referrals.data or ()),
        recommend_investigation=form.recommend_investigation.data))


def _meeting(actor, case, form: f.MeetingForm):
    return op.record_meeting(actor, case, _party(case, form.party), op.MeetingDetails(
        held_on=form.held_on.data, welfare_check=form.welfare_check.data,
        services_signposted=form.services_signposted.data or "", notes=form.notes.data or "",
        accompanied_by=form.accompanied_by.data or None,
        adjustments=form.adjustments.data or None, order_reason=form.order_reason.data or None))


def _review_decision(actor, case, form: f.ReviewDecisionForm):
    return letter_ops.record_review_decision(
        actor, case, _item(ReviewRequest, case, form.request), letter_ops.ReviewTerms(
            decision=form.decision.data, reasons=form.reasons.data or "",
            decided_on=form.decided_on.data, concerns=tuple(form.concerns.data or ()),
            new_finding=form.new_finding.data or None,
            sanctions=tuple(form.sanctions.data or ()),
            affecting_reporting_party=tuple(form.affecting.data or ()),
            affects_other_party=form.affects_other_party.data))


def _in_stage(*stages):
    return frozenset(stages)


def _impact_statement(actor, case, form: f.ImpactStatementForm):
    return op.add_impact_statement(actor, case, form.received_on.data,
                                   text=form.text.data or None,
                                   filename=form.filename or None, raw=form.raw)


def _sanction(form: f.SanctionForm) -> list[letter_ops.SanctionDetails]:
    if not form.kind.data:
        return []
    return [letter_ops.SanctionDetails(
        kind=form.kind.data, detail=form.detail.data or None,
        affects_reporting_party=form.affects_reporting_party.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data)]


def _outcome(actor, case, form: f.OutcomeForm):
    return letter_ops.record_outcome(
        actor, case, form.finding.data, form.reasons.data, form.decided_on.data,
        remedies=form.remedies.data or None, sanctions=_sanction(form),
        restorative_requested_on=form.restorative_requested_on.data)


def _latest_outcome(case: Case) -> Outcome | None:
    return db.session.scalars(sa.select(Outcome).where(Outcome.case_id == case.id)
                              .order_by(Outcome.recorded_at.desc(), Outcome.id.desc())
                              .limit(1)).first()


def _add_sanction(actor, case, form: f.SanctionForm):
    outcome = _latest_outcome(case)
    if outcome is None:
        raise LookupError("outcome")
    return letter_ops.add_sanction(actor, case, outcome, _sanction(form)[0])


def _visa_task_open(case: Case) -> bool:
    return db.session.scalar(sa.select(Deadline.id).where(
        Deadline.case_id == case.id, Deadline.kind == DeadlineKind.VISA_NOTIFICATION,
        Deadline.status == DeadlineStatus.OPEN).limit(1)) is not None


def _no_outcome(case: Case) -> bool:
    return _latest_outcome(case) is None


ACTIONS: dict[str, Action] = {a.name: a for a in (
    # Parties and who works on the case.
    Action("party", Section.PARTIES, (P.MANAGE_CASES,), f.PartyForm, _l("Add a party or a "
           "witness"), _add_party, _l("The party is added.")),
    Action("caseworker", Section.PARTIES, (P.MANAGE_CASES,), f.CaseworkerForm,
           _l("Assign a caseworker"),
           lambda a, c, form: op.assign_caseworker(a, c, _party(c, form.party),
                                                   _user(form.caseworker)),
           _l("The caseworker is assigned.")),
    Action("conflict", Section.PARTIES, (P.MANAGE_CASES,), f.ConflictForm,
           _l("Declare a conflict of interest"),
           lambda a, c, form: op.declare_conflict(a, c, _user(form.user), form.reason.data),
           _l("The conflict of interest is recorded. That person no longer sees this case.")),
    # Support (A 3.3, 3.4).
    Action("support", Section.SUPPORT_PLAN, (P.MANAGE_CASES,), f.SupportForm,
           _l("Add to the support plan"),
           lambda a, c, form: op.add_support_item(
               a, c, _party(c, form.party) if form.party.data else None, form.kind.data,
               form.status.data, helpline_id=form.helpline.data or None,
               note=form.note.data or None),
           _l("The support is added to the plan.")),
    Action("support_status", Section.SUPPORT_PLAN, (P.MANAGE_CASES,), f.SupportStatusForm,
           _l("Change the status of support"),
           lambda a, c, form: op.set_support_status(a, c, _item(SupportItem, c, form.item),
                                                    form.status.data),
           _l("The status of the support is changed.")),
    # Notes, on the timeline.
    Action("note", Section.TIMELINE, (P.MANAGE_CASES,), f.NoteForm, _l("Add a note"),
           lambda a, c, form: op.add_note(a, c, form.body.data, form.marking.data),
           _l("The note is added to the timeline."), stages=frozenset(Stage)),
    Action("note_marking", Section.TIMELINE, (P.MANAGE_CASES,), f.NoteMarkingForm,
           _l("Mark a note as about wellbeing or the past"),
           lambda a, c, form: op.mark_note(a, c, _item(CaseEvent, c, form.note),
                                           Marking.WELLBEING_PAST),
           _l("The note is marked. It will never reach anything prepared for the responding "
              "party."), stages=frozenset(Stage)),
    Action("link_report", PROCEDURE, (P.MANAGE_CASES,), f.LinkReportForm,
           _l("Link a later report about the same matter"),
           lambda a, c, form: op.link_report(a, c, db.session.get(Report, int(form.report.data))),
           _l("The report is linked to this case.")),
    # Informal resolution (9) and the formal complaint (10).
    Action("informal_answer", PROCEDURE, (P.MANAGE_CASES,), f.InformalAnswerForm,
           _l("Record an answer to informal resolution"),
           lambda a, c, form: op.record_informal_answer(a, c, _party(c, form.party),
                                                        form.answer.data),
           _l("The answer is recorded."),
           stages=_in_stage(Stage.SUPPORT, Stage.INFORMAL_RESOLUTION)),
    Action("nca_signature", PROCEDURE, (P.MANAGE_CASES,), f.SignatureForm,
           _l("Record a signature of the No Contact Agreement"),
           lambda a, c, form: op.record_nca_signature(a, c, _party(c, form.party),
                                                      form.signed_on.data),
           _l("The signature is recorded."), stages=_in_stage(Stage.INFORMAL_RESOLUTION)),
    Action("informal_breach", PROCEDURE, (P.MANAGE_CASES,), f.ConfirmForm,
           _l("Record a breach of the No Contact Agreement"),
           lambda a, c, form: op.record_informal_breach(a, c),
           _l("The breach is recorded. The case may now be referred to a formal "
              "investigation."), stages=_in_stage(Stage.INFORMAL_RESOLUTION),
           when=lambda case, facts: not facts.informal_breach),
    Action("confirm_complaint", PROCEDURE, (P.MANAGE_CASES,), f.ConfirmForm,
           _l("Record that the reporting party wishes to make a formal complaint"),
           lambda a, c, form: op.confirm_complaint(a, c),
           _l("The wish to complain is recorded, and the Centre Director is told."),
           stages=_in_stage(Stage.SUPPORT, Stage.INFORMAL_RESOLUTION, Stage.FORMAL_COMPLAINT),
           when=lambda case, facts: not facts.wish_to_complain),
    Action("acknowledge_complaint", PROCEDURE, (P.ACKNOWLEDGE_COMPLAINTS,), f.ConfirmForm,
           _l("Acknowledge the formal complaint"),
           lambda a, c, form: op.acknowledge_complaint(a, c),
           _l("The formal complaint is acknowledged, and the central Director is told."),
           stages=_in_stage(Stage.FORMAL_COMPLAINT),
           when=lambda case, facts: facts.wish_to_complain and not facts.director_acknowledged),
    Action("risk", Section.RISK_ASSESSMENT, (P.MANAGE_CASES,), f.RiskForm,
           _l("Record a precautionary risk assessment"), _risk,
           _l("The risk assessment is recorded.")),
    # Case review (11) and precautionary measures (12).
    Action("member", Section.CASE_REVIEW, (P.CONVENE_CASE_REVIEW,), f.MemberForm,
           _l("Add a member to the case review"), _member,
           _l("The member is added to the case review.")),
    Action("decisions", Section.CASE_REVIEW, (P.CONVENE_CASE_REVIEW,), f.DecisionsForm,
           _l("Record the case review's decisions"), _decisions,
           _l("The decisions are recorded.")),
    Action("measure", Section.MEASURES, (P.CONVENE_CASE_REVIEW, P.MANAGE_STAFF_MEASURES),
           f.MeasureForm, _l("Set a precautionary measure"),
           lambda a, c, form: op.set_measure(a, c, _party(c, form.party), form.kind.data,
                                             form.starts_on.data, interim=form.interim.data,
                                             description=form.description.data or None),
           _l("The measure is set. It is reviewed every 4 weeks.")),
    Action("measure_review", Section.MEASURES, (P.REVIEW_MEASURES, P.MANAGE_STAFF_MEASURES),
           f.MeasureReviewForm, _l("Review a measure"),
           lambda a, c, form: op.review_measure(a, c, _item(Measure, c, form.measure),
                                                form.outcome.data, form.note.data),
           _l("The review of the measure is recorded.")),
    Action("representations", Section.MEASURES, (P.MANAGE_CASES,), f.RepresentationsForm,
           _l("Record representations about a measure"),
           lambda a, c, form: op.record_representations(a, c, _item(Measure, c, form.measure)),
           _l("The representations are recorded, and the measure will be reviewed sooner.")),
    # Officers (13.1, 16.6).
    Action("officer", Section.INVESTIGATION, (P.CONVENE_CASE_REVIEW,), f.OfficerForm,
           _l("Appoint an officer"),
           lambda a, c, form: op.appoint_officer(a, c, _user(form.user), form.role.data),
           _l("The officer is appointed.")),
    # The investigation (13), by the Investigating Officer; the case review closes the loop.
    Action("scope", Section.INVESTIGATION, (P.INVESTIGATE_CASES,), f.ScopeForm,
           _l("Record the scope of the investigation"),
           lambda a, c, form: op.record_scope(a, c, form.scope.data),
           _l("The scope is recorded."), stages=_in_stage(Stage.INVESTIGATION)),
    Action("meeting", Section.INVESTIGATION, (P.INVESTIGATE_CASES,), f.MeetingForm,
           _l("Record a meeting"), _meeting, _l("The meeting is recorded."),
           stages=_in_stage(Stage.INVESTIGATION)),
    Action("meeting_notes_sent", Section.INVESTIGATION, (P.INVESTIGATE_CASES,),
           f.MeetingNotesSentForm, _l("Record that a meeting's notes were sent"),
           lambda a, c, form: op.record_notes_sent(
               a, c, _item(InvestigationMeeting, c, form.meeting), form.sent_on.data),
           _l("The date the notes were sent is recorded."),
           stages=_in_stage(Stage.INVESTIGATION)),
    Action("meeting_comments", Section.INVESTIGATION, (P.INVESTIGATE_CASES,),
           f.MeetingCommentsForm, _l("Record the interviewee's comments on the notes"),
           lambda a, c, form: op.record_meeting_comments(
               a, c, _item(InvestigationMeeting, c, form.meeting), form.comments.data,
               form.received_on.data),
           _l("The comments are kept alongside the notes."),
           stages=_in_stage(Stage.INVESTIGATION)),
    Action("police_liaison", Section.INVESTIGATION, (P.INVESTIGATE_CASES,), f.PoliceLiaisonForm,
           _l("Record a consultation with the police"),
           lambda a, c, form: op.record_police_liaison(
               a, c, form.consulted_on.data, form.police_contact.data, form.advice.data,
               form.may_contact_responding.data),
           _l("The consultation with the police is recorded."),
           stages=_in_stage(Stage.INVESTIGATION), when=lambda case, facts: case.police_hold),
    Action("counter_allegation", Section.INVESTIGATION, (P.INVESTIGATE_CASES,),
           f.CounterAllegationForm, _l("Record a counter-allegation and the decision on it"),
           lambda a, c, form: op.record_counter_allegation(
               a, c, _party(c, form.party), form.received_on.data, form.summary.data,
               form.decision.data, form.decision_reason.data),
           _l("The counter-allegation and the decision on it are recorded."),
           stages=_in_stage(Stage.INVESTIGATION)),
    Action("evidence", Section.INVESTIGATION, (P.INVESTIGATE_CASES,), f.EvidenceForm,
           _l("Add evidence"),
           lambda a, c, form: op.add_evidence(a, c, form.title.data, form.filename, form.raw),
           _l("The evidence is kept, exactly as it was sent, as the next appendix."),
           stages=_in_stage(Stage.INVESTIGATION), upload=True),
    Action("evidence_redact", Section.INVESTIGATION, (P.INVESTIGATE_CASES,),
           f.EvidenceRedactForm, _l("Mark evidence as not relevant, redacted"),
           lambda a, c, form: op.redact_evidence(a, c, _item(EvidenceItem, c, form.item),
                                                 form.reason.data),
           _l("The evidence is marked not relevant. It stays as it was, and is never shared "
              "with a party."), stages=_in_stage(Stage.INVESTIGATION)),
    Action("conclusion", Section.INVESTIGATION, (P.INVESTIGATE_CASES,), f.ConclusionForm,
           _l("Record the investigation's conclusion"),
           lambda a, c, form: op.record_conclusion(a, c, form.conclusion.data,
                                                   form.concluded_on.data),
           _l("The conclusion is recorded. The case review now meets again to close the "
              "loop (13.19)."), stages=_in_stage(Stage.INVESTIGATION),
           when=lambda case, facts: facts.conclusion is None),
    Action("loop", Section.INVESTIGATION, (P.CONVENE_CASE_REVIEW,), f.LoopForm,
           _l("Record the case review's meeting after the investigation"),
           lambda a, c, form: op.record_loop_closed(a, c, form.met_on.data,
                                                    form.next_steps.data),
           _l("The case review's meeting is recorded. The case can move on."),
           stages=_in_stage(Stage.INVESTIGATION),
           when=lambda case, facts: facts.conclusion is not None and not facts.loop_closed),
    # Review (16) and the final decision that starts the Completion of Procedures letter.
    Action("review_request", PROCEDURE, (P.MANAGE_CASES,), f.ReviewRequestForm,
           _l("Record a review request"),
           lambda a, c, form: op.record_review_request(a, c, _party(c, form.party),
                                                       form.received_on.data, form.grounds.data,
                                                       form.details.data),
           _l("The review request is recorded. It is acknowledged within 5 working days and "
              "answered within 3 weeks."), stages=_in_stage(Stage.OUTCOME, Stage.REVIEW)),
    Action("acknowledge_review", Section.INVESTIGATION, (P.DECIDE_REVIEWS,),
           f.AcknowledgeReviewForm, _l("Acknowledge a review request"),
           lambda a, c, form: op.acknowledge_review_request(
               a, c, _item(ReviewRequest, c, form.request)),
           _l("The review request is acknowledged."), stages=_in_stage(Stage.REVIEW)),
    Action("review_timescale", Section.INVESTIGATION, (P.DECIDE_REVIEWS,), f.TimescaleForm,
           _l("Issue an alternative timescale for the response"),
           lambda a, c, form: op.set_alternative_timescale(
               a, c, _item(ReviewRequest, c, form.request), form.due_on.data, form.reason.data),
           _l("The alternative timescale is recorded, and its date is now the deadline."),
           stages=_in_stage(Stage.REVIEW)),
    Action("review_form", Section.INVESTIGATION, (P.DECIDE_REVIEWS,), f.ReviewFormForm,
           _l("Choose a paper review or a new hearing"),
           lambda a, c, form: letter_ops.record_review_form(
               a, c, _item(ReviewRequest, c, form.request), form.form.data,
               hearing_on=form.hearing_on.data, arrangements=form.arrangements.data or None),
           _l("The form of the review is recorded."), stages=_in_stage(Stage.REVIEW),
           reviewing_officer_only=True),
    Action("review_decision", Section.INVESTIGATION, (P.DECIDE_REVIEWS,), f.ReviewDecisionForm,
           _l("Record the decision on a review request"), _review_decision,
           _l("The decision is recorded. It is final, and it is the case's final decision once "
              "every review request is decided: the Completion of Procedures letter is then due "
              "within 28 days. The review outcome letter can be prepared in the letters."),
           stages=_in_stage(Stage.REVIEW), reviewing_officer_only=True),
    Action("respond_review", Section.INVESTIGATION, (P.DECIDE_REVIEWS,), f.RespondReviewForm,
           _l("Record that the review request was answered"),
           lambda a, c, form: op.respond_review_request(
               a, c, _item(ReviewRequest, c, form.request)),
           _l("The answer to the review request is recorded."), stages=_in_stage(Stage.REVIEW)),
    Action("final_decision", PROCEDURE, (P.CONVENE_CASE_REVIEW,), f.FinalDecisionForm,
           _l("Record the final decision"),
           lambda a, c, form: op.record_final_decision(a, c, form.decided_on.data),
           _l("The final decision is recorded. The Completion of Procedures letter is due "
              "within 28 days."), stages=_in_stage(Stage.OUTCOME, Stage.REVIEW),
           when=lambda case, facts: case.final_decision_on is None),
    # The hearing (14): the committee, the reporting party's attendance, the impact statement
    # (sealed until the decision on the merits), and the decision.
    Action("committee_member", Section.HEARING, (P.CONVENE_CASE_REVIEW,),
           f.CommitteeMemberForm, _l("Appoint a hearing committee member"),
           lambda a, c, form: op.appoint_committee_member(a, c, _user(form.user)),
           _l("The committee member is appointed."), stages=_in_stage(Stage.HEARING),
           when=lambda case, facts: not facts.hearing_decided),
    Action("attendance", Section.HEARING, (P.MANAGE_CASES,), f.AttendanceForm,
           _l("Record the reporting party's attendance"),
           lambda a, c, form: op.record_attendance(
               a, c, form.attends.data == "yes", safe_place=form.safe_place.data,
               questions_through_chair=form.questions_through_chair.data,
               arrangements=form.arrangements.data or None),
           _l("The attendance and its arrangements are recorded."),
           stages=_in_stage(Stage.HEARING), when=lambda case, facts: not facts.hearing_decided),
    Action("impact_statement", Section.HEARING, (P.MANAGE_CASES,), f.ImpactStatementForm,
           _l("Add the reporting party's impact statement"), _impact_statement,
           _l("The impact statement is kept, sealed until the decision on the merits (14.4)."),
           stages=_in_stage(Stage.HEARING), when=lambda case, facts: not facts.hearing_decided,
           upload=True),
    Action("hearing_decision", Section.HEARING, (P.DECIDE_NEXT_STEPS,), f.HearingDecisionForm,
           _l("Record the hearing's decision on the merits"),
           lambda a, c, form: op.record_hearing_decision(
               a, c, form.finding.data, form.reasons.data, form.decided_on.data),
           _l("The decision is recorded. The impact statement can now be read, and the case "
              "can move to the outcome."), stages=_in_stage(Stage.HEARING),
           when=lambda case, facts: not facts.hearing_decided),
    # The outcome (15): the finding, the remedies and a sanction of 15.4 with its dates.
    Action("outcome", Section.HEARING, (P.DECIDE_NEXT_STEPS,), f.OutcomeForm,
           _l("Record the outcome"), _outcome,
           _l("The outcome is recorded. Each party's outcome letter can now be issued."),
           stages=_in_stage(Stage.OUTCOME), when=lambda case, facts: _no_outcome(case)),
    Action("sanction", Section.HEARING, (P.DECIDE_NEXT_STEPS,), f.SanctionForm,
           _l("Add a sanction to the outcome"), _add_sanction,
           _l("The sanction is added to the outcome."), stages=_in_stage(Stage.OUTCOME),
           when=lambda case, facts: not _no_outcome(case)),
    Action("visa_notified", PROCEDURE, (P.DECIDE_NEXT_STEPS,), f.ConfirmForm,
           _l("Record that the visa authority was notified"),
           lambda a, c, form: op.record_visa_notified(a, c),
           _l("The visa authority's notification is recorded."),
           stages=_in_stage(Stage.OUTCOME, Stage.REVIEW, Stage.CLOSED),
           when=lambda case, facts: _visa_task_open(case)),
    Action("studies_change", PROCEDURE, (P.MANAGE_CASES,), f.StudiesChangeForm,
           _l("Record that a party left or interrupted their studies"),
           lambda a, c, form: op.record_studies_change(
               a, c, _party(c, form.party), form.change.data, form.changed_on.data),
           _l("It is recorded. After an interruption, the procedure resumes only with both "
              "parties' consent (15.7): pause the case if it should wait.")),
    # Alongside the stage: police hold (7.2), interruption of studies (15.7).
    Action("police_hold", PROCEDURE, (P.MANAGE_CASES, P.CONVENE_CASE_REVIEW), f.ConfirmForm,
           _l("Put the case on police hold"),
           lambda a, c, form: op.set_police_hold(a, c, True),
           _l("The case is on police hold. Measure reviews go on."),
           when=lambda case, facts: not case.police_hold),
    Action("lift_police_hold", PROCEDURE, (P.MANAGE_CASES, P.CONVENE_CASE_REVIEW),
           f.ConfirmForm, _l("Lift the police hold"),
           lambda a, c, form: op.set_police_hold(a, c, False),
           _l("The police hold is lifted."), when=lambda case, facts: case.police_hold),
    Action("pause", PROCEDURE, (P.MANAGE_CASES,), f.ConfirmForm,
           _l("Pause the case for an interruption of studies"),
           lambda a, c, form: op.pause(a, c), _l("The case is paused."),
           when=lambda case, facts: not case.paused),
    Action("resume_consent", PROCEDURE, (P.MANAGE_CASES,), f.ResumeConsentForm,
           _l("Record a party's consent to resume"),
           lambda a, c, form: op.record_resume_consent(a, c, _party(c, form.party)),
           _l("The consent is recorded."), when=lambda case, facts: case.paused),
    Action("resume", PROCEDURE, (P.MANAGE_CASES,), f.ConfirmForm, _l("Resume the case"),
           lambda a, c, form: op.resume(a, c), _l("The case is resumed."),
           when=lambda case, facts: case.paused),
)}


def offered(case: Case, facts: Facts, granted: frozenset[str],
            sections: frozenset[Section], user_id: int | None = None) -> list[Action]:
    """The actions this reader (``user_id``) is offered on ``case``, in the table's order."""
    return [
        a for a in ACTIONS.values()
        if any(p in granted for p in a.permissions)
        and (a.place == PROCEDURE or a.place in sections)
        and case.stage in a.stages and a.when(case, facts)
        and (not a.reviewing_officer_only or user_id in facts.reviewing_officers)
    ]
