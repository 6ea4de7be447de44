"""The forms of the cases area: recording a disclosure, and each record made on a case page.

Every form is built from the one field kit (``hsm/forms.py``): text is filtered by ``clean``,
choices are checked against what was offered, dates are the GOV.UK date input. A case page
holds several forms at once, so each is made with its action's name as its ``prefix`` (the
ids on the page never collide, and a posted form only ever reads its own fields).

Choices that depend on the case (its parties, the people who may be given a role on it) are
filled by ``offer``, from the ``Options`` that ``queries.form_options`` loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from hsm.cases import evidence, terms
from hsm.cases.terms import PartyRole, ReviewTeamRole
from hsm.forms import (
    Checkboxes,
    Choice,
    DateInput,
    Form,
    OptionalSelect,
    RealDate,
    Required,
    Within,
    at_most,
    choices,
)
from hsm.i18n import _, _l
from hsm.letters import terms as letter_terms

TEXT_LIMIT = 5000
SHORT_LIMIT = 200
EARLIEST = date(2000, 1, 1)
#: The reasons a person is declared conflicted (a party or witness is recorded as such).
DECLARED = (terms.ConflictReason.COLLEAGUE, terms.ConflictReason.RELATIVE,
            terms.ConflictReason.OTHER)
LANGUAGE_LABELS = {"en": _l("English"), "nl": _l("Dutch"), "fr": _l("French")}


def _today() -> date:
    return date.today()


def _year_ahead() -> date:
    return date.today() + timedelta(days=366)


def _text(label, required=None, limit=TEXT_LIMIT, *, area=True):
    """A text box (a textarea by default), trimmed; required when given its message."""
    kind = TextAreaField if area else StringField
    needed = [Required(required)] if required else [Optional()]
    return kind(label, validators=[*needed, at_most(limit)])


def _select(label, required, pairs=()):
    """A select whose choices are checked against what was offered (filled later by
    ``offer`` when they depend on the case)."""
    return OptionalSelect(label, choices=choices([("", _l("Choose one"))] + list(pairs)),
                          validators=[Required(required)])


def _radios(label, required, pairs):
    return Choice(label, choices=choices(pairs), validators=[Required(required)])


def _past_date(label, required):
    return DateInput(label, validators=[RealDate(required), Within(
        EARLIEST, _today, _l("The date cannot be in the future."))])


def _any_date(label, required):
    return DateInput(label, validators=[RealDate(required), Within(EARLIEST, _year_ahead)])


@dataclass
class Options:
    """What the case-dependent choices may offer, as (value, label) pairs."""

    parties: list[tuple[str, str]] = field(default_factory=list)
    students: list[tuple[str, str]] = field(default_factory=list)
    caseworkers: list[tuple[str, str]] = field(default_factory=list)
    members: list[tuple[str, str]] = field(default_factory=list)
    officers: list[tuple[str, str]] = field(default_factory=list)
    staff: list[tuple[str, str]] = field(default_factory=list)
    helplines: list[tuple[str, str]] = field(default_factory=list)
    support_items: list[tuple[str, str]] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=list)
    review_members: list[tuple[str, str]] = field(default_factory=list)
    centres: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    unacknowledged: list[tuple[str, str]] = field(default_factory=list)
    unanswered: list[tuple[str, str]] = field(default_factory=list)
    undecided: list[tuple[str, str]] = field(default_factory=list)
    decidable: list[tuple[str, str]] = field(default_factory=list)
    reports: list[tuple[str, str]] = field(default_factory=list)
    interviewees: list[tuple[str, str]] = field(default_factory=list)
    respondents: list[tuple[str, str]] = field(default_factory=list)
    meetings: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)


class CaseForm(Form):
    """A form of the case page. ``OFFERS`` maps a field to the ``Options`` list it offers."""

    OFFERS: dict[str, str] = {}

    def offer(self, options: Options) -> CaseForm:
        for name, source in self.OFFERS.items():
            box = self[name]
            first = [] if isinstance(box, Checkboxes | Choice) else [("", _l("Choose one"))]
            box.choices = choices(first + list(getattr(options, source)))
        return self

    @property
    def usable(self) -> bool:
        """False when a choice it needs has nothing to offer (no measure to review yet)."""
        return all(
            any(c.value for c in self[name].choices)
            for name in self.OFFERS
            if any(isinstance(v, Required) for v in self[name].validators)
        )


class ConfirmForm(CaseForm):
    """An action that is one button (its CSRF token is its only field)."""


# --- opening a case from a disclosure (A 5.1) -------------------------------------------------


class DisclosureForm(CaseForm):
    OFFERS = {"centre": "centres"}

    centre = _select(_l("Centre"), _l("Choose the centre."))
    channel = _radios(_l("How did the disclosure reach you?"), _l("Choose how it reached you."),
                      terms.CHANNEL_LABELS.items())
    disclosed_on = _past_date(_l("When was it disclosed?"), _l("Enter the date of the "
                                                               "disclosure."))
    disclosure = _text(_l("What was disclosed"), _l("Write down what was disclosed."))
    responding_party_type = _select(_l("Who is the concern about?"),
                                    _l("Choose who the concern is about."),
                                    terms.PARTY_TYPE_LABELS.items())
    flags = Checkboxes(_l("Anything that needs attention at once"), choices=choices([
        ("immediate_danger", terms.FLAG_LABELS[terms.Flag.IMMEDIATE_DANGER]),
        ("under_18", terms.FLAG_LABELS[terms.Flag.UNDER_18]),
        ("anonymous", _l("The student wants to stay anonymous")),
        ("third_party", _l("Disclosed by someone else, for the student")),
    ]))


# --- parties, caseworkers, conflicts ----------------------------------------------------------


class PartyForm(CaseForm):
    OFFERS = {"staff_account": "staff"}

    role = _radios(_l("Role in the case"), _l("Choose the role in the case."), [
        (PartyRole.RESPONDING, terms.PARTY_ROLE_LABELS[PartyRole.RESPONDING]),
        (PartyRole.WITNESS, terms.PARTY_ROLE_LABELS[PartyRole.WITNESS]),
        (PartyRole.REPORTING, _l("Reporting party (when not known yet)")),
    ])
    party_type = _select(_l("Who they are"), _l("Choose who they are."),
                         terms.PARTY_TYPE_LABELS.items())
    name = _text(_l("Name (if known)"), limit=SHORT_LIMIT, area=False)
    student_number = _text(_l("Student number (if a student)"), limit=40, area=False)
    contact = _text(_l("Contact details"), limit=SHORT_LIMIT, area=False)
    preferred_language = _select(_l("Language for what is written to them"),
                                 _l("Choose a language."), LANGUAGE_LABELS.items())
    staff_account = OptionalSelect(_l("Their staff account, if they have one"))


class CaseworkerForm(CaseForm):
    OFFERS = {"party": "students", "caseworker": "caseworkers"}

    party = _select(_l("For"), _l("Choose the party."))
    caseworker = _select(_l("Caseworker"), _l("Choose a caseworker."))


class ConflictForm(CaseForm):
    OFFERS = {"user": "staff"}

    user = _select(_l("Member of staff"), _l("Choose the member of staff."))
    reason = _select(_l("Why they must not see this case"), _l("Choose a reason."),
                     [(r, terms.CONFLICT_REASON_LABELS[r]) for r in DECLARED])


class LinkReportForm(CaseForm):
    OFFERS = {"report": "reports"}

    report = _select(_l("A later report about the same matter"), _l("Choose the report."))


# --- notes, support, informal resolution, formal complaint ------------------------------------


class NoteForm(CaseForm):
    body = _text(_l("Note"), _l("Write the note first."))
    marking = _radios(_l("Marking"), _l("Choose how the note is marked."),
                      terms.MARKING_LABELS.items())


class NoteMarkingForm(CaseForm):
    """A marking may become stricter, never looser: an internal note becomes one about the
    reporting party's wellbeing or past (it then never reaches the responding party)."""

    OFFERS = {"note": "notes"}

    note = _select(_l("Note"), _l("Choose the note."))


class SupportForm(CaseForm):
    OFFERS = {"party": "parties", "helpline": "helplines"}

    party = OptionalSelect(_l("For"))
    kind = _select(_l("Support"), _l("Choose the support."), terms.SUPPORT_KIND_LABELS.items())
    helpline = OptionalSelect(_l("Helpline (for a helpline referral)"))
    status = _select(_l("Status"), _l("Choose a status."), terms.SUPPORT_STATUS_LABELS.items())
    note = _text(_l("Note (optional)"), limit=SHORT_LIMIT, area=False)


class SupportStatusForm(CaseForm):
    OFFERS = {"item": "support_items"}

    item = _select(_l("Support item"), _l("Choose the support item."))
    status = _select(_l("New status"), _l("Choose a status."), terms.SUPPORT_STATUS_LABELS.items())


class InformalAnswerForm(CaseForm):
    OFFERS = {"party": "parties"}

    party = _select(_l("Party"), _l("Choose the party."))
    answer = _radios(_l("Their answer to informal resolution"), _l("Choose their answer."),
                     terms.AGREEMENT_LABELS.items())


class SignatureForm(CaseForm):
    OFFERS = {"party": "parties"}

    party = _select(_l("Party"), _l("Choose the party."))
    signed_on = _past_date(_l("Date they signed the No Contact Agreement"),
                           _l("Enter the date they signed."))


class RiskForm(CaseForm):
    risk_to_reporting_party = _text(_l("Risks to the reporting party"),
                                    _l("Write the risks to the reporting party."))
    risk_to_responding_party = _text(_l("Risks to the responding party"),
                                     _l("Write the risks to the responding party."))
    risk_to_others = _text(_l("Risks to others"), _l("Write the risks to others."))
    urgency = _radios(_l("Urgency"), _l("Choose the urgency."), terms.URGENCY_LABELS.items())
    next_review_on = _any_date(_l("Next review"), _l("Enter the date of the next review."))


# --- case review, measures, officers ----------------------------------------------------------


class MemberForm(CaseForm):
    OFFERS = {"user": "members"}

    role_title = _select(_l("Role on the case review"), _l("Choose the role."),
                         terms.REVIEW_TEAM_ROLE_LABELS.items())
    user = OptionalSelect(_l("Member with an account"))
    name = _text(_l("Or, for a co-opted member without an account: name"), limit=SHORT_LIMIT,
                 area=False)
    organisation = _text(_l("Their organisation"), limit=SHORT_LIMIT, area=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.user.data and not self.name.data:
            self.user.errors = [str(_l("Choose a member, or write a co-opted member's name."))]
            return False
        if ok and not self.user.data and self.role_title.data != ReviewTeamRole.CO_OPTED:
            self.role_title.errors = [str(_l("A member without an account can only be "
                                             "co-opted."))]
            return False
        return ok


class DecisionsForm(CaseForm):
    met_on = _past_date(_l("Date of the meeting"), _l("Enter the date of the meeting."))
    risks = _text(_l("Risks"), _l("Write the risks the case review found."))
    support_needs = _text(_l("Support needs"), _l("Write the support needs."))
    internal_procedure = _select(_l("Which internal procedure applies"),
                                 _l("Choose the internal procedure."),
                                 terms.INTERNAL_PROCEDURE_LABELS.items())
    external_referrals = Checkboxes(_l("External referrals"),
                                    choices=choices(terms.EXTERNAL_REFERRAL_LABELS))
    recommend_investigation = BooleanField(_l("The case review recommends an investigation"))


class MeasureForm(CaseForm):
    OFFERS = {"party": "parties"}

    party = _select(_l("Applies to"), _l("Choose who the measure applies to."))
    kind = _select(_l("Measure"), _l("Choose the measure."), terms.MEASURE_KIND_LABELS.items())
    starts_on = _any_date(_l("Starts on"), _l("Enter the start date."))
    description = _text(_l("Details (optional)"), limit=SHORT_LIMIT, area=False)
    interim = BooleanField(_l("Interim measure, in an urgent case (the case review ratifies, "
                              "varies or lifts it)"))


class MeasureReviewForm(CaseForm):
    OFFERS = {"measure": "measures"}

    measure = _select(_l("Measure"), _l("Choose the measure."))
    outcome = _radios(_l("Outcome of the review"), _l("Choose the outcome."),
                      terms.MEASURE_REVIEW_OUTCOME_LABELS.items())
    note = _text(_l("Note"), _l("Write a note on the review."))


class RepresentationsForm(CaseForm):
    OFFERS = {"measure": "measures"}

    measure = _select(_l("Measure"), _l("Choose the measure."))


class OfficerForm(CaseForm):
    OFFERS = {"user": "officers"}

    role = _radios(_l("Appoint as"), _l("Choose the role."),
                   [(r, terms.OFFICER_ROLE_LABELS[r]) for r in terms.OFFICERS])
    user = _select(_l("Officer"), _l("Choose the officer."))


# --- review (16) and the final decision ------------------------------------------------------


class ReviewRequestForm(CaseForm):
    OFFERS = {"party": "parties"}

    party = _select(_l("Who asks for the review"), _l("Choose the party."))
    received_on = _past_date(_l("Date the request was received"),
                             _l("Enter the date the request was received."))
    grounds = Checkboxes(_l("Grounds (16.8)"), choices=choices(terms.REVIEW_GROUND_LABELS),
                         validators=[Required(_l("Choose at least one ground."))])
    details = _text(_l("Details: why they are dissatisfied, on these grounds (16.5)"),
                    _l("Write the details of the request."))


class AcknowledgeReviewForm(CaseForm):
    OFFERS = {"request": "unacknowledged"}

    request = _select(_l("Review request"), _l("Choose the review request."))


class TimescaleForm(CaseForm):
    OFFERS = {"request": "unanswered"}

    request = _select(_l("Review request"), _l("Choose the review request."))
    due_on = _any_date(_l("New date for the response"), _l("Enter the new date."))
    reason = _text(_l("Reason for the alternative timescale"), _l("Write the reason."))


class RespondReviewForm(CaseForm):
    OFFERS = {"request": "unanswered"}

    request = _select(_l("Review request"), _l("Choose the review request."))


class ReviewFormForm(CaseForm):
    """16.7: a paper review (the normal form) or a new hearing, with its date and
    arrangements."""

    OFFERS = {"request": "undecided"}

    request = _select(_l("Review request"), _l("Choose the review request."))
    form = _radios(_l("How the review is held (16.7)"),
                   _l("Choose a paper review or a new hearing."),
                   terms.REVIEW_FORM_LABELS.items())
    hearing_on = DateInput(_l("Date of the new hearing (for a new hearing)"),
                           validators=[RealDate(), Within(EARLIEST, _year_ahead)])
    arrangements = _text(_l("Arrangements for the new hearing: where, who attends, and how the "
                            "reporting party takes part (for a new hearing)"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.form.data == terms.ReviewForm.HEARING:
            if self.hearing_on.data is None:
                self.hearing_on.invalid_parts = ("day", "month", "year")
                self.hearing_on.errors = [str(_l("Enter the date of the new hearing."))]
                ok = False
            if not self.arrangements.data:
                self.arrangements.errors = [str(_l("Write the arrangements for the new "
                                                   "hearing."))]
                ok = False
        return ok


class ReviewDecisionForm(CaseForm):
    """16.10: confirm, set aside or vary the finding or the penalty (a varied penalty may be
    heavier), with reasons; final (16.11). The rules that tie the answers together are the
    workflow's (``review_decision_reasons``), said in words when the record is refused."""

    OFFERS = {"request": "decidable"}

    request = _select(_l("Review request"), _l("Choose the review request."))
    decision = _radios(_l("Decision (16.10)"), _l("Choose the decision."),
                       letter_terms.REVIEW_DECISION_CHOICES.items())
    concerns = Checkboxes(_l("What is set aside or varied"),
                          choices=choices(letter_terms.REVIEW_CONCERN_LABELS))
    new_finding = Choice(_l("The finding now, when the finding is set aside or varied"),
                         choices=choices(terms.CONCLUSION_LABELS), validators=[Optional()])
    sanctions = Checkboxes(_l("The penalty that now applies, when the penalty is varied (it may "
                              "be heavier than before)"),
                           choices=choices(letter_terms.SANCTION_LABELS))
    affecting = Checkboxes(_l("Of that penalty, what directly affects the reporting party "
                              "(15.2)"), choices=choices(letter_terms.SANCTION_LABELS))
    reasons = _text(_l("Reasons for the decision"), _l("Write the reasons for the decision."))
    affects_other_party = BooleanField(_l("The review is upheld, and the change materially "
                                          "affects the other party: they are told of the "
                                          "outcome (16.12)"))
    decided_on = _past_date(_l("Date of the decision"), _l("Enter the date of the decision."))


class FinalDecisionForm(CaseForm):
    decided_on = _past_date(_l("Date of the final decision"),
                            _l("Enter the date of the final decision."))


class ResumeConsentForm(CaseForm):
    OFFERS = {"party": "parties"}

    party = _select(_l("Party who consents"), _l("Choose the party."))


# --- the investigation (13) -------------------------------------------------------------------


class ScopeForm(CaseForm):
    scope = _text(_l("Scope of the investigation, proportionate to the case (13.10)"),
                  _l("Write the scope of the investigation."))


class MeetingForm(CaseForm):
    OFFERS = {"party": "interviewees"}

    party = _select(_l("Who was met"), _l("Choose who was met."))
    held_on = _past_date(_l("Date of the meeting"), _l("Enter the date of the meeting."))
    welfare_check = BooleanField(
        _l("A welfare check was made, and the support services were signposted (13.5)"),
        validators=[Required(_l("Record the welfare check: it is part of every meeting."))])
    services_signposted = _text(_l("Support services signposted"),
                                _l("Write which support services were signposted."),
                                limit=SHORT_LIMIT * 2)
    accompanied_by = _text(_l("Accompanied by (13.6), if anyone"), limit=SHORT_LIMIT,
                           area=False)
    adjustments = _text(_l("Reasonable adjustments made, if any"), limit=SHORT_LIMIT * 2)
    notes = _text(_l("Notes of the meeting"), _l("Write the notes of the meeting."))
    order_reason = _text(_l("If the policy's order was not kept (the reporting party first, "
                            "then the responding party, then witnesses: 13.7), why"),
                         limit=SHORT_LIMIT * 2)


class MeetingNotesSentForm(CaseForm):
    OFFERS = {"meeting": "meetings"}

    meeting = _select(_l("Meeting"), _l("Choose the meeting."))
    sent_on = _past_date(_l("Date the notes were sent to the interviewee"),
                         _l("Enter the date the notes were sent."))


class MeetingCommentsForm(CaseForm):
    OFFERS = {"meeting": "meetings"}

    meeting = _select(_l("Meeting"), _l("Choose the meeting."))
    received_on = _past_date(_l("Date the comments were received"),
                             _l("Enter the date the comments were received."))
    comments = _text(_l("The interviewee's comments, kept alongside the notes (13.9)"),
                     _l("Write the interviewee's comments."))


class PoliceLiaisonForm(CaseForm):
    consulted_on = _past_date(_l("Date the police were consulted"),
                              _l("Enter the date the police were consulted."))
    police_contact = _text(_l("Police contact (force, officer or reference)"),
                           _l("Write who at the police was consulted."), limit=SHORT_LIMIT,
                           area=False)
    advice = _text(_l("Their advice about contacting the responding party"),
                   _l("Write the police's advice."))
    may_contact_responding = BooleanField(_l("The police agree that the responding party may "
                                             "be contacted now"))


class CounterAllegationForm(CaseForm):
    OFFERS = {"party": "respondents"}

    party = _select(_l("Made by"), _l("Choose the responding party."))
    received_on = _past_date(_l("Date it was received in writing"),
                             _l("Enter the date it was received."))
    summary = _text(_l("The counter-allegation, in summary"),
                    _l("Write a summary of the counter-allegation."))
    decision = _radios(_l("Decision (13.12)"), _l("Choose the decision."),
                       terms.COUNTER_DECISION_LABELS.items())
    decision_reason = _text(_l("Reasons for the decision"), _l("Write the reasons."))


class ConclusionForm(CaseForm):
    conclusion = _radios(_l("Conclusion, on the balance of probabilities (13.16)"),
                         _l("Choose the conclusion."), terms.CONCLUSION_LABELS.items())
    concluded_on = _past_date(_l("Date of the conclusion"), _l("Enter the date of the "
                                                               "conclusion."))


class LoopForm(CaseForm):
    met_on = _past_date(_l("Date the case review met"), _l("Enter the date of the meeting."))
    next_steps = _text(_l("The next steps agreed"), _l("Write the next steps agreed."))


# --- evidence (13.15) -------------------------------------------------------------------------


def evidence_message(rejected: evidence.EvidenceRejected) -> str:
    """A refused file, in the reader's words."""
    limit = evidence.MAX_BYTES // (1024 * 1024)
    named = rejected.detail.get("extension") or _("no extension")
    messages = {
        "empty": _("The file is empty. Choose the file again."),
        "too_large": _("The file is larger than %(limit)d MB, so it was not added. Nothing "
                       "else on the case has changed.", limit=limit),
        "extension": _("Only PDF files, images (PNG, JPEG, WebP), text files (.txt) and "
                       "exported emails (.eml) can be added. This file's name ends in "
                       "%(extension)s.", extension=named),
        "mismatch": _("The file's content does not match its name: it does not hold what a "
                      "%(extension)s file holds. Check that it is the right file.",
                      extension=named),
        "unknown_content": _("The file's content is not a PDF, an image, a text or an "
                             "exported email."),
        "unreadable_image": _("The image cannot be read. Export it again as PNG or JPEG."),
    }
    return messages[rejected.reason]


class EvidenceForm(CaseForm):
    """An evidence upload: the file is judged by its content, and its size is checked here
    (the upload route lets a little more than the limit through, so this says it in words)."""

    title = _text(_l("What it is (for the list of appendices)"),
                  _l("Write what the file is."), limit=SHORT_LIMIT, area=False)
    file = FileField(_l("File: a PDF, an image, a text or an exported email (.eml), up to "
                        "10 MB"))

    raw: bytes | None = None
    filename: str = ""

    def validate_file(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            raise ValidationError(_("Choose the file to add."))
        raw = upload.stream.read(evidence.MAX_BYTES + 1)
        try:
            evidence.inspect(raw, upload.filename)
        except evidence.EvidenceRejected as rejected:
            raise ValidationError(evidence_message(rejected)) from None
        self.raw, self.filename = raw, upload.filename


class EvidenceRedactForm(CaseForm):
    OFFERS = {"item": "evidence"}

    item = _select(_l("Evidence"), _l("Choose the evidence."))
    reason = _text(_l("Why it is not relevant (13.15)"), _l("Write why it is not relevant."),
                   limit=SHORT_LIMIT * 2)


# --- the hearing (14) and the outcome (15) ---------------------------------------------------


def _years_ahead() -> date:
    return date.today() + timedelta(days=366 * 5)


def _until_date(label):
    """An optional date up to five years ahead (the end of a sanction)."""
    return DateInput(label, validators=[RealDate(), Within(EARLIEST, _years_ahead)])


class CommitteeMemberForm(CaseForm):
    OFFERS = {"user": "staff"}

    user = _select(_l("Committee member (no earlier involvement in the case, 14.1)"),
                   _l("Choose the committee member."))


class AttendanceForm(CaseForm):
    attends = _radios(_l("Does the reporting party attend the hearing? (14.3)"),
                      _l("Choose whether the reporting party attends."),
                      terms.ATTENDANCE_LABELS.items())
    safe_place = BooleanField(_l("They give evidence in a safe place"))
    questions_through_chair = BooleanField(_l("Questions by or for the responding party go "
                                              "through the Chair"))
    arrangements = _text(_l("Other arrangements, if any"), limit=SHORT_LIMIT * 2)


class ImpactStatementForm(CaseForm):
    """The impact statement (14.4), written here or a file (checked like evidence). It is
    sealed until the decision on the merits."""

    received_on = _past_date(_l("Date the statement was received"),
                             _l("Enter the date the statement was received."))
    text = _text(_l("The statement, written (or add its file below)"), limit=TEXT_LIMIT * 2)
    file = FileField(_l("Or its file: a PDF, an image, a text or an exported email (.eml), "
                        "up to 10 MB"))

    raw: bytes | None = None
    filename: str = ""

    def validate_file(self, field):
        upload = field.data
        if upload and getattr(upload, "filename", ""):
            EvidenceForm.validate_file(self, field)
        elif not (self.text.data or "").strip():
            raise ValidationError(_("Write the impact statement, or choose its file."))


class HearingDecisionForm(CaseForm):
    finding = _radios(_l("Decision on the merits, on the balance of probabilities (14.4)"),
                      _l("Choose the decision."), terms.CONCLUSION_LABELS.items())
    reasons = _text(_l("Reasons for the decision"), _l("Write the reasons."))
    decided_on = _past_date(_l("Date of the decision"), _l("Enter the date of the decision."))


class _OutcomeFields(CaseForm):
    finding = _radios(_l("Finding, on the balance of probabilities (15.1)"),
                      _l("Choose the finding."), letter_terms.FINDING_LABELS.items())
    reasons = _text(_l("Reasons for the decision"), _l("Write the reasons."))
    remedies = _text(_l("Remedies and actions that directly affect the reporting party "
                        "(they are told these, 15.1)"))
    decided_on = _past_date(_l("Date of the decision"), _l("Enter the date of the decision."))
    restorative_requested_on = _past_date(
        _l("If the reporting party asked for restorative justice: the date they asked (15.4)"),
        None)


class SanctionForm(CaseForm):
    """One sanction of 15.4 with its dates, added to the recorded outcome."""

    #: Whether a sanction must be chosen (the outcome's own form may have none).
    NEEDS_KIND = True

    kind = OptionalSelect(_l("Sanction (15.4)"), choices=choices(
        [("", _l("No sanction"))] + list(letter_terms.SANCTION_LABELS.items())))
    detail = _text(_l("Details of the sanction"), limit=SHORT_LIMIT * 5)
    affects_reporting_party = BooleanField(
        _l("This sanction directly affects the reporting party, so they are told of it "
           "(15.2)"))
    starts_on = _any_date(_l("Sanction starts on (if not the date of the decision)"), None)
    ends_on = _until_date(_l("Sanction ends on (a caution: 12 months unless you enter "
                             "another date)"))

    def validate_kind(self, field):
        if self.NEEDS_KIND and not field.data:
            raise ValidationError(_("Choose the sanction."))


class OutcomeForm(_OutcomeFields, SanctionForm):
    """The outcome (15) and its first sanction; more are added with ``SanctionForm``."""

    NEEDS_KIND = False


class StudiesChangeForm(CaseForm):
    OFFERS = {"party": "parties"}

    party = _select(_l("Party"), _l("Choose the party."))
    change = _radios(_l("What happened"), _l("Choose what happened."),
                     terms.STUDIES_CHANGE_LABELS.items())
    changed_on = _past_date(_l("Date"), _l("Enter the date."))


# --- the investigation report (13.14) and sharing with the parties (13.9, 13.15, 19.3) -------

#: The longest section of the report.
REPORT_LIMIT = 20000
#: The most exact phrases withheld from one copy.
MOST_PHRASES = 50


class ReportForm(Form):
    """The report's sections, each optional while it is a draft (finishing checks them)."""

    overview = _text(terms.REPORT_SECTIONS["overview"], limit=REPORT_LIMIT)
    chronology = _text(terms.REPORT_SECTIONS["chronology"], limit=REPORT_LIMIT)
    facts_established = _text(terms.REPORT_SECTIONS["facts_established"], limit=REPORT_LIMIT)
    facts_disputed = _text(terms.REPORT_SECTIONS["facts_disputed"], limit=REPORT_LIMIT)
    mitigating = _text(terms.REPORT_SECTIONS["mitigating"], limit=REPORT_LIMIT)
    aggravating = _text(terms.REPORT_SECTIONS["aggravating"], limit=REPORT_LIMIT)
    policy_extracts = _text(terms.REPORT_SECTIONS["policy_extracts"], limit=REPORT_LIMIT)
    staff_recommendation = _text(terms.REPORT_SECTIONS["staff_recommendation"],
                                 limit=REPORT_LIMIT)

    def texts(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in terms.REPORT_SECTIONS}


class ShareForm(Form):
    """The redaction step: the passages (by number) and exact phrases to withhold from this
    party's copy; for a file, the confirmation that it was read through."""

    withhold = Checkboxes(_l("Passages to withhold"), choices=[], validators=[Optional()])
    phrases = _text(_l("Exact phrases to withhold, one per line"), limit=TEXT_LIMIT)
    checked = BooleanField(_l("I have read the whole file: nothing in it is to be withheld "
                              "from this party"))

    def offer(self, numbers) -> ShareForm:
        self.withhold.choices = choices([(str(n), str(n)) for n in numbers])
        return self

    def phrase_list(self) -> list[str]:
        return [line.strip() for line in (self.phrases.data or "").splitlines() if line.strip()]

    def validate_phrases(self, field):
        if len(self.phrase_list()) > MOST_PHRASES:
            raise ValidationError(_("Withhold at most %(count)d phrases here; withhold the "
                                    "whole passage instead.", count=MOST_PHRASES))

    def numbers(self) -> set[int]:
        return {int(value) for value in self.withhold.data or () if value.isdigit()}
