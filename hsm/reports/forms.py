"""The Report a Concern form (policy Appendix B), the follow-up forms and the staff actions.

Conditional fields (named / anonymous, "other" reasons, the date) are checked here on the
server whatever the browser did; the page shows every field when JavaScript is off, and
hides what does not apply when it runs (static/js/app.js, "reveal").
"""

from __future__ import annotations

import re
from datetime import date

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from hsm.forms import CHOOSE_AN_OPTION, DateInput, Form, OneOf, at_most, choices
from hsm.i18n import _l
from hsm.reports import labels, receipts, rules
from hsm.reports.operations import Submission

_STUDENT_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /\-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,25}$")


def _text(label, max_length, *, description=None, textarea=False):
    field_class = TextAreaField if textarea else StringField
    return field_class(
        label,
        description=description,
        validators=[at_most(max_length)],
    )


def _choice(label, mapping, allowed, message, *, required=True, multiple=False):
    """A radio group (or, with ``multiple``, checkboxes) checked against the offered codes."""
    field_class = SelectMultipleField if multiple else RadioField
    return field_class(
        label,
        choices=choices(mapping),
        validate_choice=False,
        validators=[OneOf(allowed, message, required=required)],
    )


class ReportForm(Form):
    anonymous = _choice(
        _l("Do you want to stay anonymous?"),
        [
            ("no", _l("No, I will give my name")),
            ("yes", _l("Yes, I want to stay anonymous")),
        ],
        rules.YES_NO,
        _l("Choose whether you want to stay anonymous."),
    )
    anonymity_reason = _choice(
        _l("Why do you want to stay anonymous?"),
        labels.ANONYMITY_REASONS,
        rules.ANONYMITY_REASONS,
        _l("Choose a reason."),
        required=False,
    )
    anonymity_reason_other = _text(_l("Your reason"), rules.OTHER_REASON_MAX)
    first_name = _text(_l("First name"), rules.NAME_MAX)
    last_name = _text(_l("Last name"), rules.NAME_MAX)
    student_number = _text(_l("Student number"), rules.STUDENT_NUMBER_MAX)
    date_of_birth = DateInput(_l("Date of birth"))
    contact_method = _choice(
        _l("How should we contact you?"),
        labels.CONTACT_METHODS,
        rules.CONTACT_METHODS,
        _l("Choose a way to contact you."),
        required=False,
    )
    contact_detail = _text(_l("Email address or phone number"), 200)
    safe_times = _text(_l("When is it safe to contact you? (optional)"), rules.SHORT_TEXT_MAX)

    about = _choice(
        _l("Who did this happen to?"),
        labels.ABOUT,
        rules.ABOUT,
        _l("Choose who this happened to."),
    )
    categories = _choice(
        _l("What is your concern about?"),
        labels.CATEGORIES,
        rules.CATEGORIES,
        _l("Choose at least one kind of concern."),
        multiple=True,
    )
    narrative = _text(_l("What happened?"), rules.NARRATIVE_MAX, textarea=True)
    when_kind = _choice(
        _l("When did it happen?"),
        labels.WHEN_KINDS,
        rules.WHEN_KINDS,
        _l("Choose when it happened."),
    )
    when_date = DateInput(_l("Date it happened"))
    when_detail = _text(_l("Anything you want to say about when (optional)"), rules.SHORT_TEXT_MAX)
    where = _choice(
        _l("Where did it happen?"),
        labels.WHERE,
        rules.WHERE,
        _l("Choose where it happened."),
    )
    where_detail = _text(
        _l("Anything you want to say about where (optional)"), rules.SHORT_TEXT_MAX
    )
    respondent = _choice(
        _l("Who was involved?"),
        labels.RESPONDENTS,
        rules.RESPONDENTS,
        _l("Choose who was involved."),
    )
    wishes = _choice(
        _l("What would you like to happen?"),
        labels.WISHES,
        rules.WISHES,
        _l("Choose at least one option."),
        multiple=True,
    )
    immediate_danger = _choice(
        _l("Is anyone in immediate danger?"),
        labels.YES_NO,
        rules.YES_NO,
        _l("Tell us whether anyone is in immediate danger."),
    )
    under_18 = _choice(
        _l("Are you under 18?"),
        labels.YES_NO,
        rules.YES_NO,
        _l("Tell us whether you are under 18."),
    )
    consent_earlier_notes = _choice(
        _l("If you have already talked to Student Services about this, may we pass the notes "
           "of those conversations to the person who takes your report forward?"),
        labels.CONSENT,
        rules.CONSENT,
        _l("Choose an answer about earlier notes."),
    )

    # One-time key of this form (see receipts): the same form sent twice stores one report.
    submission_key = HiddenField()

    # The order of the fields on the page (and in the error summary).
    ORDER = (
        "anonymous", "anonymity_reason", "anonymity_reason_other", "first_name", "last_name",
        "student_number", "date_of_birth", "contact_method", "contact_detail", "safe_times",
        "about", "categories", "narrative", "when_kind", "when_date", "when_detail", "where",
        "where_detail", "respondent", "wishes", "immediate_danger", "under_18",
        "consent_earlier_notes",
    )  # fmt: skip

    # The date at the reporter's centre (the view sets it); the server's date otherwise.
    today: date | None = None

    def _today(self) -> date:
        return self.today or date.today()

    @property
    def is_named(self) -> bool:
        return self.anonymous.data == "no"

    @property
    def is_anonymous(self) -> bool:
        return self.anonymous.data == "yes"

    # --- conditional checks (WTForms runs validate_<field> after the field's own checks) --

    def validate_anonymity_reason(self, field):
        if self.is_anonymous and not field.data:
            raise ValidationError(_l("Choose why you want to stay anonymous."))

    def validate_anonymity_reason_other(self, field):
        if self.is_anonymous and self.anonymity_reason.data == "other" and not field.data:
            raise ValidationError(_l("Tell us your reason, in a few words."))

    def validate_first_name(self, field):
        if self.is_named and not field.data:
            raise ValidationError(_l("Enter your first name."))

    def validate_last_name(self, field):
        if self.is_named and not field.data:
            raise ValidationError(_l("Enter your last name."))

    def validate_student_number(self, field):
        if not self.is_named:
            return
        if not field.data:
            raise ValidationError(_l("Enter your student number."))
        if not _STUDENT_NUMBER.match(field.data):
            raise ValidationError(_l("A student number has only letters, numbers and dashes."))

    def validate_date_of_birth(self, field):
        if not self.is_named:
            return
        born = field.checked(required=_l("Enter your date of birth."))
        if not rules.plausible_birth_date(born, self._today()):
            field.refuse(_l("Check your date of birth: it must be in the past."))

    def validate_contact_method(self, field):
        if self.is_named and not field.data:
            raise ValidationError(_l("Choose how we should contact you."))

    def validate_contact_detail(self, field):
        if not self.is_named:
            return
        method = self.contact_method.data
        if not field.data:
            raise ValidationError(_l("Enter the email address or phone number we should use."))
        if method == "email" and not _EMAIL.match(field.data):
            raise ValidationError(_l("Enter an email address, like name@example.com."))
        if method in ("phone", "text") and not _PHONE.match(field.data):
            raise ValidationError(_l("Enter a phone number, like +31 6 1234 5678."))

    def validate_narrative(self, field):
        if not field.data:
            raise ValidationError(_l("Tell us what happened, in your own words. "
                                     "A few words are enough."))

    def validate_when_date(self, field):
        if self.when_kind.data != "date":
            return
        day = field.checked(
            required=_l("Enter the date, or choose another answer about when.")
        )
        if not rules.incident_date_ok(day, self._today()):
            field.refuse(_l("The date cannot be in the future."))

    def keep_submission_key(self) -> str:
        """Keep the key this form was shown with; a new form (or a mangled key) gets a new one."""
        if not receipts.valid_submission_key(self.submission_key.data):
            self.submission_key.data = receipts.new_submission_key()
        return self.submission_key.data

    def check_field(self, name: str) -> bool:
        """Check one field on its own (inline checking while the reporter types)."""
        field = self[name]
        inline = getattr(type(self), f"validate_{name}", None)
        return field.validate(self, extra_validators=[inline] if inline else [])

    def to_submission(self) -> Submission:
        """The checked answers, ready to store."""
        return Submission(
            anonymous=self.is_anonymous,
            anonymity_reason=self.anonymity_reason.data or None,
            anonymity_reason_other=self.anonymity_reason_other.data or None,
            first_name=self.first_name.data or None,
            last_name=self.last_name.data or None,
            student_number=self.student_number.data or None,
            date_of_birth=self.date_of_birth.data,
            contact_method=self.contact_method.data or None,
            contact_detail=self.contact_detail.data or None,
            safe_times=self.safe_times.data or None,
            about=self.about.data,
            categories=[c for c in rules.CATEGORIES if c in (self.categories.data or [])],
            narrative=self.narrative.data,
            when_kind=self.when_kind.data,
            when_date=self.when_date.data,
            when_detail=self.when_detail.data or None,
            where=self.where.data,
            where_detail=self.where_detail.data or None,
            respondent=self.respondent.data,
            wishes=[w for w in rules.WISHES if w in (self.wishes.data or [])],
            immediate_danger=self.immediate_danger.data == "yes",
            under_18=self.under_18.data == "yes",
            consent_earlier_notes=self.consent_earlier_notes.data,
        )


class ReceiptForm(Form):
    code = StringField(_l("Your receipt code"))
    # A message written while the follow-up closed: carried through the code form, unsent.
    pending = TextAreaField(_l("Your message, not sent yet"))

    def validate_code(self, field):
        if not field.data:
            raise ValidationError(_l("Enter your receipt code."))
        if len(field.data) > 60:
            raise ValidationError(_l("A receipt code has 20 letters and numbers."))


def _message_field(label, empty_message):
    def required(form, field):
        if not field.data:
            raise ValidationError(empty_message)

    return TextAreaField(
        label,
        validators=[required, at_most(rules.MESSAGE_MAX)],
    )


class ReporterMessageForm(Form):
    body = _message_field(_l("Your message"), _l("Write your message first."))


class ReplyForm(Form):
    body = _message_field(_l("Reply to the reporter"), _l("Write your reply first."))


class NoteForm(Form):
    body = _message_field(_l("Internal note"), _l("Write the note first."))


class AssignForm(Form):
    caseworker = SelectField(_l("Caseworker"), coerce=str, validate_choice=False)

    def set_caseworkers(self, users) -> None:
        self.caseworker.choices = choices(
            [("", _l("Choose a caseworker"))] + [(str(u.id), u.name) for u in users]
        )

    def validate_caseworker(self, field):
        allowed = {choice.value for choice in field.choices if choice.value}
        if field.data not in allowed:
            raise ValidationError(_l("Choose a caseworker from the list."))


class HandlingForm(Form):
    handling = _choice(
        _l("How is this report being handled?"),
        labels.HANDLING,
        [h.value for h in rules.Handling],
        CHOOSE_AN_OPTION,
    )


class ActionForm(Form):
    """A button that only needs its CSRF token (acknowledge, leave)."""
