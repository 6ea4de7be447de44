"""The scheme's forms. Every message is ours, in plain words, and goes through gettext."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from babel import Locale
from flask import current_app
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from hsm.centres.registry import centres_by_name
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
)
from hsm.forms import choices as options
from hsm.i18n import _, _l, get_locale
from hsm.safecontacts import applications, equality, photos
from hsm.safecontacts.biography import DAY_CODES, LANGUAGE_CODES, MAX_TEXT, TEXT_LOCALES
from hsm.safecontacts.commitments import KINDS

YES_NO = (("yes", _l("Yes")), ("no", _l("No")))
DAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}
STAFF_TYPE_LABELS = {
    "professional_services": _l("Professional services staff"),
    "academic": _l("Academic staff"),
}
MEETING_LABELS = dict(zip(KINDS, (_l("Termly team meeting"), _l("Group supervision")), strict=True))
TEXT_LABELS = {
    "en": _l("Biography in English"),
    "nl": _l("Biography in Dutch"),
    "fr": _l("Biography in French"),
}


def language_name(code: str, locale: str | None = None) -> str:
    """A language's name in the reader's language (Babel's CLDR data)."""
    name = Locale.parse(locale or str(get_locale())).languages.get(code, code)
    return name[:1].upper() + name[1:]


def scheme_date(label, required_message) -> DateInput:
    """A date of the scheme, typed in three boxes: real, given, and plausible for the scheme,
    from 2000 to a year ahead (a chat may be booked in advance)."""
    return DateInput(label, validators=[RealDate(required_message), Within(
        date(2000, 1, 1), lambda: datetime.now(UTC).date() + timedelta(days=366))])


class ApplicationForm(Form):
    name = StringField(
        _l("Your name"), validators=[Required(_l("Enter your name")), at_most(200)]
    )
    email = EmailField(
        _l("Your work email address"),
        validators=[Required(_l("Enter your work email address")), at_most(255)],
    )
    job_title = StringField(
        _l("Job title"), validators=[Required(_l("Enter your job title")), at_most(200)]
    )
    department = StringField(
        _l("Department"), validators=[Required(_l("Enter your department")), at_most(200)]
    )
    centre = Choice(_l("Centre"), validators=[Required(_l("Choose your centre"))])
    staff_type = Choice(
        _l("Which best describes your job?"),
        choices=options(STAFF_TYPE_LABELS.items()),
        validators=[Required(_l("Choose professional services or academic staff"))],
    )
    statement = TextAreaField(
        _l("Your motivation and suitability for the role"),
        validators=[Required(_l("Write your motivation and suitability statement"))],
    )
    line_manager_permission = Choice(
        _l("Do you have your line manager's permission to take on this role?"),
        choices=options(YES_NO),
        validators=[Required(_l("Tell us whether your line manager has agreed"))],
    )
    specialist_interest = Choice(
        _l("Are you interested in the specialist sexual violence role?"),
        choices=options(YES_NO),
        validators=[Required(_l("Tell us whether you are interested in the specialist role"))],
    )
    gender = OptionalSelect(validators=[Optional()])
    ethnic_group = OptionalSelect(validators=[Optional()])
    disability = OptionalSelect(validators=[Optional()])
    sexual_orientation = OptionalSelect(validators=[Optional()])
    religion = OptionalSelect(validators=[Optional()])

    EQUALITY_FIELDS = tuple(equality.QUESTIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.centre.choices = options((c.slug, c.name_for(locale)) for c in centres_by_name(locale))
        for name, (title, choices) in equality.QUESTIONS.items():
            field = getattr(self, name)
            field.label.text = title
            field.choices = options(
                [
                    (equality.NOT_ANSWERED, _("Not answered")),
                    *choices,
                    (equality.PREFER_NOT, equality.PREFER_NOT_LABEL),
                ]
            )

    def validate_email(self, field):
        domains = current_app.config["HSM_ALLOWED_STAFF_DOMAINS"]
        if not applications.plain_address(field.data):
            raise ValidationError(_("Enter an email address like name@example.org"))
        if not applications.email_domain_allowed(field.data, domains):
            raise ValidationError(
                _(
                    "Use your work email address. It must end in %(domains)s",
                    domains=", ".join("@" + d for d in domains),
                )
            )

    def validate_statement(self, field):
        words = applications.count_words(field.data)
        if words < applications.STATEMENT_MIN_WORDS:
            raise ValidationError(
                _(
                    "Your statement has %(count)d words. Write at least %(min)d words.",
                    count=words,
                    min=applications.STATEMENT_MIN_WORDS,
                )
            )
        if words > applications.STATEMENT_MAX_WORDS:
            raise ValidationError(
                _(
                    "Your statement has %(count)d words. Please shorten it to %(max)d words "
                    "or fewer.",
                    count=words,
                    max=applications.STATEMENT_MAX_WORDS,
                )
            )

    def equality_answers(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in self.EQUALITY_FIELDS}


class ConfirmForm(Form):
    """The button that confirms an email address (a link alone could be opened by a scanner)."""


class MoveForm(Form):
    target = HiddenField(validators=[Required(_l("Choose where to move this application"))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), at_most(2000)])
    board_centre = HiddenField()
    # The stage the page showed; a move from an out-of-date page is refused, not guessed.
    current = HiddenField()


class ChatForm(Form):
    chat_on = scheme_date(_l("Date of the informal chat"), _l("Enter the date of the chat"))
    chat_staff_one = StringField(
        _l("First staff member"),
        validators=[Required(_l("Enter the first staff member's name")), at_most(200)],
    )
    chat_staff_two = StringField(
        _l("Second staff member"),
        validators=[Required(_l("Enter the second staff member's name")), at_most(200)],
    )


class InductionForm(Form):
    induction_on = scheme_date(
        _l("Date of the induction training"), _l("Enter the date of the induction training")
    )
    attended = Choice(
        _l("Did they attend?"),
        choices=options(YES_NO),
        validators=[Required(_l("Tell us whether they attended"))],
    )


class TrainingForm(Form):
    topic = Choice(_l("Topic"), validators=[Required(_l("Choose the topic of the training"))])
    attended_on = scheme_date(_l("Date attended"), _l("Enter the date of the training"))

    def __init__(self, topics, locale: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = options((t.id, t.name_for(locale)) for t in topics)

    def validate_attended_on(self, field):
        if field.data and field.data > date.today():
            field.refuse(_("The date cannot be in the future."))


class TopicForm(Form):
    name_en = StringField(
        _l("Topic name in English"),
        validators=[Required(_l("Enter the topic name in English")), at_most(200)],
    )
    name_nl = StringField(
        _l("Topic name in Dutch"),
        validators=[Required(_l("Enter the topic name in Dutch")), at_most(200)],
    )
    name_fr = StringField(
        _l("Topic name in French"),
        validators=[Required(_l("Enter the topic name in French")), at_most(200)],
    )
    badge_en = StringField(
        _l("Badge explanation in English"),
        validators=[Required(_l("Enter the badge explanation in English")), at_most(300)],
    )
    badge_nl = StringField(
        _l("Badge explanation in Dutch"),
        validators=[Required(_l("Enter the badge explanation in Dutch")), at_most(300)],
    )
    badge_fr = StringField(
        _l("Badge explanation in French"),
        validators=[Required(_l("Enter the badge explanation in French")), at_most(300)],
    )
    refresher_months = IntegerField(
        _l("Refresher needed after (months)"),
        validators=[
            Required(_l("Enter the number of months")),
            NumberRange(min=1, max=120, message=_l("Enter a number of months from 1 to 120")),
        ],
    )


class RefresherForm(Form):
    refresher_months = IntegerField(
        _l("Refresher needed after (months)"),
        validators=[
            Required(_l("Enter the number of months")),
            NumberRange(min=1, max=120, message=_l("Enter a number of months from 1 to 120")),
        ],
    )


class MeetingForm(Form):
    kind = Choice(
        _l("Kind of session"),
        choices=options(MEETING_LABELS.items()),
        validators=[Required(_l("Choose the kind of session"))],
    )
    held_on = scheme_date(_l("Date"), _l("Enter the date of the session"))
    attendees = Checkboxes(_l("Who attended"), validators=[Optional()])

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees.choices = options((m.id, m.name) for m in members)


class ApproveForm(Form):
    """Publish the waiting biography draft: the very version the approver was shown."""

    version = HiddenField()


class BiographyForm(Form):
    text_en = TextAreaField(TEXT_LABELS["en"], validators=[Optional(), at_most(MAX_TEXT)])
    text_nl = TextAreaField(TEXT_LABELS["nl"], validators=[Optional(), at_most(MAX_TEXT)])
    text_fr = TextAreaField(TEXT_LABELS["fr"], validators=[Optional(), at_most(MAX_TEXT)])
    languages = Checkboxes(_l("Languages you speak"))
    department = StringField(
        _l("Department"), validators=[Required(_l("Enter your department")), at_most(200)]
    )
    days = Checkboxes(_l("Days you are usually available"))
    in_person = BooleanField(_l("In person"))
    online = BooleanField(_l("Online"))
    photo = FileField(_l("Photo (optional)"))
    photo_alt = StringField(
        _l("Describe the photo for people who cannot see it"), validators=[at_most(300)]
    )
    remove_photo = BooleanField(_l("Remove the photo"))

    clean_photo: photos.CleanPhoto | None = None

    def __init__(self, has_photo: bool, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo
        self.languages.choices = [
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in sorted(
                ((code, language_name(code)) for code in LANGUAGE_CODES), key=lambda c: c[1]
            )
        ]
        self.days.choices = options((code, DAY_LABELS[code]) for code in DAY_CODES)

    def validate_text_en(self, field):
        if not any((getattr(self, f"text_{code}").data or "").strip() for code in TEXT_LOCALES):
            raise ValidationError(_("Write your biography in at least one language."))

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_("Choose at least one language you speak."))

    def validate_days(self, field):
        if not field.data:
            raise ValidationError(_("Choose at least one day."))

    def validate_in_person(self, field):
        if not (field.data or self.online.data):
            raise ValidationError(_("Choose in person, online, or both."))

    def validate_photo(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        raw = upload.read(photos.MAX_BYTES + 1)
        try:
            self.clean_photo = photos.clean_photo(raw)
        except photos.PhotoRejected as rejected:
            messages = {
                "too_large": _("The photo is too large. Choose a file under 1.5 MB."),
                "format": _("The photo must be a JPEG, PNG or WebP image."),
            }
            raise ValidationError(
                messages.get(rejected.reason, _("We could not read that file as a photo."))
            ) from None

    def validate_photo_alt(self, field):
        keeps_photo = self.clean_photo is not None or (
            self.has_photo and not self.remove_photo.data
        )
        if keeps_photo and not (field.data or "").strip():
            raise ValidationError(_("Describe the photo, for people who use a screen reader."))
