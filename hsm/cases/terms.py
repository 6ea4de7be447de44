"""The words of the procedure (Appendix A of the policy), as codes with labels for people.

Codes are stored in the database and never change; labels are lazy gettext strings, so a
template shows ``LABELS[code]`` in the reader's language. Section numbers are the policy's.
"""

from __future__ import annotations

import enum

from hsm.i18n import _l


class Stage(enum.StrEnum):
    """Where a case is in the procedure: the board's columns, in order."""

    RECEIVED = "received"
    SUPPORT = "support"
    INFORMAL_RESOLUTION = "informal_resolution"
    FORMAL_COMPLAINT = "formal_complaint"
    CASE_REVIEW = "case_review"
    INVESTIGATION = "investigation"
    HEARING = "hearing"
    OUTCOME = "outcome"
    REVIEW = "review"
    CLOSED = "closed"


STAGES = tuple(Stage)
OPEN_STAGES = tuple(s for s in Stage if s is not Stage.CLOSED)
STAGE_LABELS = {
    Stage.RECEIVED: _l("Received"),
    Stage.SUPPORT: _l("Support"),
    Stage.INFORMAL_RESOLUTION: _l("Informal resolution"),
    Stage.FORMAL_COMPLAINT: _l("Formal complaint"),
    Stage.CASE_REVIEW: _l("Case review"),
    Stage.INVESTIGATION: _l("Investigation"),
    Stage.HEARING: _l("Disciplinary hearing"),
    Stage.OUTCOME: _l("Outcome"),
    Stage.REVIEW: _l("Review"),
    Stage.CLOSED: _l("Closed"),
}


class Flag(enum.StrEnum):
    """The flags a card shows (carried over from the report, or set by staff)."""

    IMMEDIATE_DANGER = "immediate_danger"
    UNDER_18 = "under_18"
    STAFF_RESPONDENT = "staff_respondent"
    ANONYMOUS = "anonymous"
    THIRD_PARTY = "third_party"
    POLICE_HOLD = "police_hold"
    PAUSED = "paused"


FLAG_LABELS = {
    Flag.IMMEDIATE_DANGER: _l("Immediate danger"),
    Flag.UNDER_18: _l("Under 18"),
    Flag.STAFF_RESPONDENT: _l("Staff respondent"),
    Flag.ANONYMOUS: _l("Anonymous"),
    Flag.THIRD_PARTY: _l("Third party"),
    Flag.POLICE_HOLD: _l("Police hold"),
    Flag.PAUSED: _l("Paused: interruption of studies"),
}


class Channel(enum.StrEnum):
    """How a disclosure reached a member of staff (A 5.1)."""

    PHONE = "phone"
    EMAIL = "email"
    DROP_IN = "drop_in"
    STAFF_MEMBER = "staff_member"
    SAFE_CONTACT = "safe_contact"
    EXTENUATING_CIRCUMSTANCES = "extenuating_circumstances"
    ACADEMIC_APPEAL = "academic_appeal"
    FRIEND = "friend"


CHANNEL_LABELS = {
    Channel.PHONE: _l("By phone"),
    Channel.EMAIL: _l("By email"),
    Channel.DROP_IN: _l("At a drop-in session"),
    Channel.STAFF_MEMBER: _l("To another member of staff, for example a tutor"),
    Channel.SAFE_CONTACT: _l("Through a Safe Contact"),
    Channel.EXTENUATING_CIRCUMSTANCES: _l("In an extenuating circumstances claim"),
    Channel.ACADEMIC_APPEAL: _l("In an academic appeal"),
    Channel.FRIEND: _l("From a friend or family member"),
}


class PartyRole(enum.StrEnum):
    REPORTING = "reporting"
    RESPONDING = "responding"
    WITNESS = "witness"


PARTY_ROLE_LABELS = {
    PartyRole.REPORTING: _l("Reporting party"),
    PartyRole.RESPONDING: _l("Responding party"),
    PartyRole.WITNESS: _l("Witness"),
}


class PartyType(enum.StrEnum):
    """Who a responding party (or a witness) is (A 5.2, 2.2)."""

    STUDENT = "student"
    STAFF = "staff"
    CONTRACTOR = "contractor"
    VISITOR = "visitor"
    THIRD_PARTY = "third_party"
    UNKNOWN = "unknown"


PARTY_TYPE_LABELS = {
    PartyType.STUDENT: _l("Student"),
    PartyType.STAFF: _l("Member of staff"),
    PartyType.CONTRACTOR: _l("Contractor"),
    PartyType.VISITOR: _l("Visitor"),
    PartyType.THIRD_PARTY: _l("Third party"),
    PartyType.UNKNOWN: _l("Not known"),
}


class Marking(enum.StrEnum):
    """How a note is marked when written. A marking may become stricter, never looser."""

    # For the staff working on the case; may inform what a party is later told.
    INTERNAL = "internal"
    # About the reporting party's wellbeing or past: never reaches the responding party (19.3).
    WELLBEING_PAST = "wellbeing_past"


MARKING_RANK = {Marking.INTERNAL: 1, Marking.WELLBEING_PAST: 2}
MARKING_LABELS = {
    Marking.INTERNAL: _l("Internal"),
    Marking.WELLBEING_PAST: _l("Wellbeing or past of the reporting party"),
}


class SupportKind(enum.StrEnum):
    """A support plan item (A 3.3, 3.4)."""

    COUNSELLING = "counselling"
    SARC = "sarc"
    HELPLINE = "helpline"
    EXTENUATING_CIRCUMSTANCES = "extenuating_circumstances"
    ACADEMIC_OTHER = "academic_other"
    ACCOMPANIMENT = "accompaniment"


SUPPORT_KIND_LABELS = {
    SupportKind.COUNSELLING: _l("Referral to counselling or mental health support"),
    SupportKind.SARC: _l("Referral to a Sexual Assault Referral Centre (SARC) or local service"),
    SupportKind.HELPLINE: _l("Referral to a helpline"),
    SupportKind.EXTENUATING_CIRCUMSTANCES: _l("Support with extenuating circumstances"),
    SupportKind.ACADEMIC_OTHER: _l("Other academic support"),
    SupportKind.ACCOMPANIMENT: _l("Someone to accompany them (3.5)"),
}


class SupportStatus(enum.StrEnum):
    PROPOSED = "proposed"
    REFERRED = "referred"
    IN_PLACE = "in_place"
    DECLINED = "declined"
    COMPLETED = "completed"


SUPPORT_STATUS_LABELS = {
    SupportStatus.PROPOSED: _l("Offered"),
    SupportStatus.REFERRED: _l("Referred"),
    SupportStatus.IN_PLACE: _l("In place"),
    SupportStatus.DECLINED: _l("Declined"),
    SupportStatus.COMPLETED: _l("Completed"),
}


class Agreement(enum.StrEnum):
    """A party's answer to informal resolution (9.1, 9.4)."""

    AGREED = "agreed"
    DECLINED = "declined"


AGREEMENT_LABELS = {Agreement.AGREED: _l("Agreed"), Agreement.DECLINED: _l("Declined")}


class Urgency(enum.StrEnum):
    """Of a precautionary risk assessment (10.2: serious cases are dealt with urgently)."""

    ROUTINE = "routine"
    URGENT = "urgent"


URGENCY_LABELS = {Urgency.ROUTINE: _l("In a timely manner"), Urgency.URGENT: _l("Urgent")}


class ReviewTeamRole(enum.StrEnum):
    """The role holders of 11.1, from whom at least three sit on a case review."""

    GROUP_COO = "group_coo"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    CHIEF_ACADEMIC_OFFICER = "chief_academic_officer"
    DIRECTOR_STUDY_CENTRES = "director_study_centres"
    PEOPLE_TEAM = "people_team"
    DIRECTOR_GLOBAL_ENGAGEMENT = "director_global_engagement"
    GENERAL_COUNSEL = "general_counsel"
    CENTRE_REPRESENTATIVE = "centre_representative"
    # 11.2: co-opted, inside or outside the organisation; never counted towards the three.
    CO_OPTED = "co_opted"


REVIEW_TEAM_ROLE_LABELS = {
    ReviewTeamRole.GROUP_COO: _l("Group Chief Operating Officer"),
    ReviewTeamRole.SAFEGUARDING_LEAD: _l(
        "Safeguarding and Prevent Lead: Director of Student Experience and Safeguarding"
    ),
    ReviewTeamRole.CHIEF_ACADEMIC_OFFICER: _l("Chief Academic Officer (or nominee)"),
    ReviewTeamRole.DIRECTOR_STUDY_CENTRES: _l("Director of Global Study Centres (or nominee)"),
    ReviewTeamRole.PEOPLE_TEAM: _l("A member of the People Team"),
    ReviewTeamRole.DIRECTOR_GLOBAL_ENGAGEMENT: _l("Director of Global Engagement"),
    ReviewTeamRole.GENERAL_COUNSEL: _l("Group General Counsel"),
    ReviewTeamRole.CENTRE_REPRESENTATIVE: _l("A senior representative of the centre"),
    ReviewTeamRole.CO_OPTED: _l("Co-opted member"),
}


class ExternalReferral(enum.StrEnum):
    """External agencies a case review may refer to (11.3)."""

    POLICE = "police"
    DBS = "dbs"
    LADO = "lado"


EXTERNAL_REFERRAL_LABELS = {
    ExternalReferral.POLICE: _l("Police"),
    ExternalReferral.DBS: _l("Disclosure and Barring Service (DBS)"),
    ExternalReferral.LADO: _l("Local Authority Designated Officer (LADO)"),
}


class InternalProcedure(enum.StrEnum):
    """Which internal policy applies (11.4)."""

    STUDENT_DISCIPLINARY = "student_disciplinary"
    WELLBEING_SUPPORT_TO_STUDY = "wellbeing_support_to_study"
    STUDENT_COMPLAINTS = "student_complaints"
    STAFF_DISCIPLINARY = "staff_disciplinary"
    NONE = "none"


INTERNAL_PROCEDURE_LABELS = {
    InternalProcedure.STUDENT_DISCIPLINARY: _l("Student Disciplinary Policy"),
    InternalProcedure.WELLBEING_SUPPORT_TO_STUDY: _l(
        "Student Wellbeing and Support to Study Procedure"
    ),
    InternalProcedure.STUDENT_COMPLAINTS: _l("Student Complaints Policy: post arrival"),
    InternalProcedure.STAFF_DISCIPLINARY: _l("Staff Disciplinary Policy"),
    InternalProcedure.NONE: _l("No internal procedure"),
}


class MeasureKind(enum.StrEnum):
    """Precautionary measures: for students (12.3) and for staff (12.5)."""

    NO_CONTACT = "no_contact"
    RESTRICTED_AREAS = "restricted_areas"
    RESTRICTED_TIMES = "restricted_times"
    RELOCATION = "relocation"
    ACTIVITY_EXCLUSION = "activity_exclusion"
    CLUB_EXCLUSION = "club_exclusion"
    LEARNING_RESTRICTIONS = "learning_restrictions"
    INTERIM_SUSPENSION = "interim_suspension"
    FULL_SUSPENSION = "full_suspension"
    STAFF_NO_CONTACT = "staff_no_contact"
    STAFF_ADJUSTED_DUTIES = "staff_adjusted_duties"
    STAFF_SUSPENSION = "staff_suspension"


SUSPENSIONS = frozenset({MeasureKind.INTERIM_SUSPENSION, MeasureKind.FULL_SUSPENSION})
STAFF_MEASURES = frozenset(
    {MeasureKind.STAFF_NO_CONTACT, MeasureKind.STAFF_ADJUSTED_DUTIES, MeasureKind.STAFF_SUSPENSION}
)
MEASURE_KIND_LABELS = {
    MeasureKind.NO_CONTACT: _l("No contact with the reporting party, directly or indirectly"),
    MeasureKind.RESTRICTED_AREAS: _l("No access to specified parts of the campus"),
    MeasureKind.RESTRICTED_TIMES: _l("Access to buildings or facilities at specified times only"),
    MeasureKind.RELOCATION: _l("Alternative accommodation"),
    MeasureKind.ACTIVITY_EXCLUSION: _l("Temporary exclusion from an activity"),
    MeasureKind.CLUB_EXCLUSION: _l("Temporary exclusion from a club or society"),
    MeasureKind.LEARNING_RESTRICTIONS: _l("Learning online or through recordings only"),
    MeasureKind.INTERIM_SUSPENSION: _l("Interim suspension from campus"),
    MeasureKind.FULL_SUSPENSION: _l("Full suspension"),
    MeasureKind.STAFF_NO_CONTACT: _l("Staff member: no contact with the student"),
    MeasureKind.STAFF_ADJUSTED_DUTIES: _l("Staff member: adjusted duties"),
    MeasureKind.STAFF_SUSPENSION: _l("Staff member: precautionary suspension"),
}


class MeasureStatus(enum.StrEnum):
    ACTIVE = "active"
    LIFTED = "lifted"


class MeasureReviewOutcome(enum.StrEnum):
    CONTINUED = "continued"
    VARIED = "varied"
    LIFTED = "lifted"


MEASURE_REVIEW_OUTCOME_LABELS = {
    MeasureReviewOutcome.CONTINUED: _l("Continued"),
    MeasureReviewOutcome.VARIED: _l("Varied"),
    MeasureReviewOutcome.LIFTED: _l("Lifted"),
}


class OfficerRole(enum.StrEnum):
    INVESTIGATING = "investigating"
    REVIEWING = "reviewing"
    # A member of the disciplinary (hearing) committee (14.1): an appointment like an
    # officer's, so the same involvement check applies both ways.
    COMMITTEE = "committee"


OFFICER_ROLE_LABELS = {
    OfficerRole.INVESTIGATING: _l("Investigating Officer"),
    OfficerRole.REVIEWING: _l("Reviewing Officer"),
    OfficerRole.COMMITTEE: _l("Hearing committee member"),
}
#: The officers appointed with the officers' form (the committee has its own).
OFFICERS = (OfficerRole.INVESTIGATING, OfficerRole.REVIEWING)


class ConflictReason(enum.StrEnum):
    """Why someone must not see a case."""

    PARTY = "party"
    WITNESS = "witness"
    COLLEAGUE = "colleague"
    RELATIVE = "relative"
    OTHER = "other"


CONFLICT_REASON_LABELS = {
    ConflictReason.PARTY: _l("A party to the case"),
    ConflictReason.WITNESS: _l("A witness in the case"),
    ConflictReason.COLLEAGUE: _l("A close colleague of a party"),
    ConflictReason.RELATIVE: _l("A relative or partner of a party"),
    ConflictReason.OTHER: _l("Another conflict of interest"),
}


class ClosureReason(enum.StrEnum):
    SUPPORT_ONLY = "support_only"
    NO_FURTHER_ACTION = "no_further_action"
    INFORMAL_RESOLUTION = "informal_resolution"
    DISMISSED_WITH_SUPPORT = "dismissed_with_support"
    OUTCOME_ISSUED = "outcome_issued"
    REVIEW_DECIDED = "review_decided"
    WITHDRAWN = "withdrawn"
    REFERRED_ELSEWHERE = "referred_elsewhere"


CLOSURE_REASON_LABELS = {
    ClosureReason.SUPPORT_ONLY: _l("Support given; the reporting party wanted no further action"),
    ClosureReason.NO_FURTHER_ACTION: _l("No further action for now, with advice on evidence"),
    ClosureReason.INFORMAL_RESOLUTION: _l("Resolved informally (No Contact Agreement)"),
    ClosureReason.DISMISSED_WITH_SUPPORT: _l("Dismissed, with continued support for all parties"),
    ClosureReason.OUTCOME_ISSUED: _l("Outcome issued and procedures completed"),
    ClosureReason.REVIEW_DECIDED: _l("Review decided and procedures completed"),
    ClosureReason.WITHDRAWN: _l("Withdrawn by the reporting party"),
    ClosureReason.REFERRED_ELSEWHERE: _l("Taken forward under another procedure"),
}


class DeadlineKind(enum.StrEnum):
    REPORT_ACKNOWLEDGEMENT = "report_acknowledgement"
    COMPLAINT_ACKNOWLEDGEMENT = "complaint_acknowledgement"
    MEASURE_REVIEW = "measure_review"
    REVIEW_ACKNOWLEDGEMENT = "review_acknowledgement"
    REVIEW_RESPONSE = "review_response"
    COMPLETION_LETTER = "completion_letter"
    # 15.4: a recommended permanent exclusion means notifying the visa authority.
    VISA_NOTIFICATION = "visa_notification"


DEADLINE_KIND_LABELS = {
    DeadlineKind.REPORT_ACKNOWLEDGEMENT: _l("First acknowledgement of the report"),
    DeadlineKind.COMPLAINT_ACKNOWLEDGEMENT: _l(
        "Centre Director's acknowledgement of the formal complaint"
    ),
    DeadlineKind.MEASURE_REVIEW: _l("Review of a precautionary measure"),
    DeadlineKind.REVIEW_ACKNOWLEDGEMENT: _l("Acknowledgement of the review request"),
    DeadlineKind.REVIEW_RESPONSE: _l("Response to the review request"),
    DeadlineKind.COMPLETION_LETTER: _l("Completion of Procedures letter"),
    DeadlineKind.VISA_NOTIFICATION: _l("Notify the visa authority of the recommended "
                                       "permanent exclusion"),
}


class DeadlineStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"  # done on or before the day it was due
    MISSED = "missed"  # done after it was due
    CANCELLED = "cancelled"  # no longer needed (a measure lifted, a case closed)


class DeadlineState(enum.StrEnum):
    """How an open deadline stands today: said in words and with an icon, never by colour."""

    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


DEADLINE_STATE_LABELS = {
    DeadlineState.DUE: _l("Due"),
    DeadlineState.DUE_SOON: _l("Due soon"),
    DeadlineState.OVERDUE: _l("Overdue"),
}


class ReviewGround(enum.StrEnum):
    """The grounds of a review request (16.8)."""

    NEW_EVIDENCE = "new_evidence"
    IRREGULARITY = "irregularity"
    UNREASONABLE = "unreasonable"


REVIEW_GROUND_LABELS = {
    ReviewGround.NEW_EVIDENCE: _l("Relevant new evidence or circumstances"),
    ReviewGround.IRREGULARITY: _l("An irregularity or unfairness that affected the outcome"),
    ReviewGround.UNREASONABLE: _l("The decision was unreasonable in the light of the evidence"),
}


class ReviewForm(enum.StrEnum):
    """How the review is held (16.7): normally on paper, or a new hearing."""

    PAPER = "paper"
    HEARING = "hearing"


REVIEW_FORM_LABELS = {
    ReviewForm.PAPER: _l("A paper review"),
    ReviewForm.HEARING: _l("A new hearing"),
}

class Conclusion(enum.StrEnum):
    """The investigation's conclusion on the balance of probabilities (13.16)."""

    BREACH = "breach"
    NO_BREACH = "no_breach"


CONCLUSION_LABELS = {
    Conclusion.BREACH: _l("The evidence indicates a breach of the policy"),
    Conclusion.NO_BREACH: _l("The evidence does not support a breach"),
}


class CounterDecision(enum.StrEnum):
    """Where a counter-allegation is considered (13.12)."""

    WITHIN = "within_investigation"
    SEPARATE = "separate_process"


COUNTER_DECISION_LABELS = {
    CounterDecision.WITHIN: _l("Addressed within this investigation"),
    CounterDecision.SEPARATE: _l("Considered under a separate process"),
}

EVIDENCE_KIND_LABELS = {
    "pdf": _l("PDF document"),
    "image": _l("Image"),
    "text": _l("Text"),
    "email": _l("Exported email"),
}

PREFERRED_LANGUAGES = ("en", "nl", "fr")

#: What each kind of timeline event is called (``CaseEvent.kind``).
EVENT_LABELS = {
    "opened": _l("Case opened"),
    "report_linked": _l("A later report was linked"),
    "party_added": _l("A party was added"),
    "party_updated": _l("A party's details were changed"),
    "caseworker_assigned": _l("A caseworker was assigned"),
    "note": _l("Note"),
    "note_marked": _l("A note's marking was made stricter"),
    "support_added": _l("Support plan item added"),
    "support_status_set": _l("Support plan item updated"),
    "informal_answer": _l("Answer to informal resolution recorded"),
    "nca_signed": _l("No Contact Agreement signed"),
    "informal_breach": _l("Breach of the No Contact Agreement recorded"),
    "complaint_confirmed": _l("Wish to make a formal complaint recorded"),
    "complaint_acknowledged": _l("Formal complaint acknowledged by the Centre Director"),
    "risk_assessed": _l("Precautionary risk assessment recorded"),
    "review_member_added": _l("Case review member added"),
    "review_member_removed": _l("Case review member removed"),
    "decisions_recorded": _l("Case review decisions recorded"),
    "measure_set": _l("Precautionary measure set"),
    "measure_reviewed": _l("Precautionary measure reviewed"),
    "measure_review_requested": _l("Representations about a measure: review requested"),
    "officer_appointed": _l("Officer appointed"),
    "conflict_declared": _l("Conflict of interest recorded"),
    "police_hold_set": _l("Put on police hold"),
    "police_hold_lifted": _l("Police hold lifted"),
    "paused": _l("Paused for an interruption of studies"),
    "resume_consent": _l("Consent to resume recorded"),
    "resumed": _l("Resumed"),
    "review_requested": _l("Review request received"),
    "review_request_acknowledged": _l("Review request acknowledged"),
    "review_timescale_set": _l("Alternative timescale issued"),
    "review_form_chosen": _l("Paper review or new hearing chosen"),
    "review_request_answered": _l("Review request answered"),
    "final_decision": _l("Final decision recorded"),
    "completion_letter_issued": _l("Completion of Procedures letter issued"),
    "report_acknowledged": _l("Report acknowledged"),
    "stage_changed": _l("Moved to another stage"),
    "deadline_met": _l("Deadline met"),
    "deadline_missed": _l("Deadline missed"),
    "deadline_cancelled": _l("Deadline no longer needed"),
    # The investigation (13).
    "investigation_scope_recorded": _l("Scope of the investigation recorded"),
    "investigation_meeting_recorded": _l("Investigation meeting recorded"),
    "meeting_notes_sent": _l("Meeting notes sent to the interviewee"),
    "meeting_comments_recorded": _l("Interviewee's comments on the notes recorded"),
    "police_liaison_recorded": _l("Consultation with the police recorded"),
    "counter_allegation_recorded": _l("Counter-allegation recorded"),
    "investigation_concluded": _l("Investigation concluded"),
    "investigation_loop_closed": _l("Case review met after the investigation"),
    "evidence_added": _l("Evidence added"),
    "evidence_redacted": _l("Evidence marked not relevant, redacted"),
    # Written by the letters area (hsm/letters/operations.py).
    "letter_issued": _l("Letter issued"),
    "letter_delivered": _l("Letter delivery recorded"),
    "outcome_recorded": _l("Outcome recorded"),
    "review_decided": _l("Review decision recorded"),
    # The hearing (14) and the outcome (15).
    "committee_member_appointed": _l("Hearing committee member appointed"),
    "hearing_attendance_recorded": _l("The reporting party's attendance at the hearing "
                                      "recorded"),
    "impact_statement_received": _l("Impact statement received (sealed until the decision "
                                    "on the merits)"),
    "hearing_decided": _l("Hearing decision on the merits recorded"),
    "studies_change_recorded": _l("A party leaving or interrupting their studies recorded"),
    "visa_authority_notified": _l("Visa authority notified"),
    "sanction_added": _l("Sanction added to the outcome"),
}


# --- the hearing (14) and the outcome (15) ---------------------------------------------------


class StudiesChange(enum.StrEnum):
    """A party who left (15.6) or interrupted (15.7) their studies."""

    LEFT = "left"
    INTERRUPTED = "interrupted"


STUDIES_CHANGE_LABELS = {
    StudiesChange.LEFT: _l("Left their course (15.6)"),
    StudiesChange.INTERRUPTED: _l("Interrupted their studies (15.7)"),
}

ATTENDANCE_LABELS = {
    "yes": _l("Yes, the reporting party attends"),
    "no": _l("No, the reporting party does not attend"),
}


# --- the investigation report (13.14) and sharing with the parties (13.9, 13.15, 19.3) -------

#: The report's sections, in order, with their headings.
REPORT_SECTIONS = {
    "overview": _l("Overview"),
    "chronology": _l("Chronology"),
    "facts_established": _l("Facts established"),
    "facts_disputed": _l("Facts in dispute"),
    "mitigating": _l("Mitigating factors"),
    "aggravating": _l("Aggravating factors"),
    "policy_extracts": _l("Policy extracts"),
    "staff_recommendation": _l("Recommendation on the staff disciplinary policy (13.18)"),
}
#: Sections written only when the responding party is a member of staff (13.18), and never
#: part of a party's copy of the report: the recommendation goes to the People Team.
STAFF_ONLY_SECTIONS = frozenset({"staff_recommendation"})


class ItemKind(enum.StrEnum):
    """What is shared with a party."""

    MEETING = "meeting"
    EVIDENCE = "evidence"
    REPORT = "report"


ITEM_KIND_LABELS = {
    ItemKind.MEETING: _l("Meeting notes"),
    ItemKind.EVIDENCE: _l("Evidence"),
    ItemKind.REPORT: _l("Investigation report"),
}
EVENT_LABELS.update({
    "investigation_report_finished": _l("Investigation report finished"),
    "item_shared": _l("Shared with a party"),
})
