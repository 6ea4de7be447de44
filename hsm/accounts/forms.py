"""Forms of the staff account screens (labels are lazy, so they follow the request's locale)."""

from __future__ import annotations

from datetime import date, timedelta

from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Optional

from hsm.forms import Form, Required, Within, at_most
from hsm.i18n import _l
from hsm.security import Role

EMAIL_MAX = 255
NAME_MAX = 200
# The browser's date picker sends ISO dates; people typing by hand often write 31/01/2026.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
LOG_START = date(2000, 1, 1)


def _next_year() -> date:
    return date.today() + timedelta(days=366)


def role_choices():
    return [("", _l("Choose a role"))] + [(str(r), role_label(r)) for r in Role]


def role_label(role: str):
    return {
        Role.STUDENT_SERVICES: _l("Student Services"),
        Role.CENTRE_DIRECTOR: _l("Centre Director"),
        Role.SAFEGUARDING_DIRECTOR: _l("Director of Student Experience and Safeguarding"),
        Role.CASE_REVIEW_MEMBER: _l("Case review team member"),
        Role.INVESTIGATING_OFFICER: _l("Investigating officer"),
        Role.REVIEWING_OFFICER: _l("Reviewing officer"),
        Role.PEOPLE_TEAM: _l("People Team"),
        Role.EDI_OFFICER: _l("Equality, diversity and inclusion officer"),
        Role.SAFE_CONTACT: _l("Safe Contact"),
        Role.EXECUTIVE: _l("Executive"),
        Role.ADMIN: _l("Administrator"),
    }.get(role, role)


class LoginForm(Form):
    email = EmailField(
        _l("Email address"),
        validators=[Required(_l("Enter your email address.")), at_most(EMAIL_MAX)],
    )
    password = PasswordField(
        _l("Password"), validators=[Required(_l("Enter your password."))]
    )


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[Required(_l("Enter the 6-digit code from your app, or a recovery code.")),
                    at_most(40)],
    )


def current_password_field() -> PasswordField:
    """The password asked again before a signed-in change to the account's security.

    A new field each call, so that each form lists it where its page shows it.
    """
    return PasswordField(
        _l("Current password"), validators=[Required(_l("Enter your current password."))]
    )


class ReauthForm(Form):
    """Prove it is you (a session left open is not enough): the current password alone."""

    current_password = current_password_field()


class EnrolForm(Form):
    code = StringField(
        _l("6-digit code from your app"),
        validators=[Required(_l("Enter the 6-digit code your app shows now.")),
                    at_most(20)],
    )


class ReauthEnrolForm(EnrolForm):
    """Enrolment by someone already signed in: the code, then the current password."""

    current_password = current_password_field()


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"), validators=[Required(_l("Enter a new password."))]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            Required(_l("Enter the new password a second time.")),
            EqualTo("password", _l("The two passwords are not the same. Enter them again.")),
        ],
    )


class PasswordChangeForm(NewPasswordForm):
    current_password = current_password_field()


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email address"),
        validators=[Required(_l("Enter your email address.")), at_most(EMAIL_MAX)],
    )


class RoleForm(Form):
    role = SelectField(_l("Role"), validators=[Required(_l("Choose a role."))])
    centre = SelectField(_l("Centre"), validators=[Optional()])

    def __init__(self, *args, centre_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.centre.choices = [("", _l("All centres")), *centre_choices]


class InviteForm(RoleForm):
    name = StringField(
        _l("Full name"),
        validators=[Required(_l("Enter the person's name.")), at_most(NAME_MAX)],
    )
    email = EmailField(
        _l("Staff email address"),
        validators=[Required(_l("Enter the person's email address.")),
                    at_most(EMAIL_MAX)],
    )


class LocalDateField(DateField):
    """A date field whose parse error is in our own plain words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date, for example 31/01/2026.")) from None


class AuditFilterForm(Form):
    """A GET form: nothing changes, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    actor = StringField(_l("Who (email contains)"), validators=[Optional(), at_most(255)])
    centre = SelectField(_l("Centre"), validators=[Optional()])
    # Bounded: the log began after 2000, and a date past next year finds nothing (and
    # 9999-12-31 plus the day the filter adds would overflow).
    date_from = LocalDateField(_l("From (date)"), format=DATE_FORMATS,
                               validators=[Optional(), Within(LOG_START, _next_year)])
    date_to = LocalDateField(_l("To (date)"), format=DATE_FORMATS,
                             validators=[Optional(), Within(LOG_START, _next_year)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.date_from.data and self.date_to.data and (
            self.date_from.data > self.date_to.data
        ):
            self.date_to.errors.append(_l("The end date must be on or after the start date."))
            return False
        return ok
