"""The one field kit every area's forms use (their markup is templates/macros/).

- ``Form``: the base of every form. Every field of every form is filtered by ``clean`` (trim,
  drop control characters and lone surrogates), a password by ``printable`` (nothing trimmed):
  the base binds the filter, so no form can forget it. An expired CSRF token is one behaviour
  everywhere: ``csrf_expired`` is true, the token's error is the one ``EXPIRED`` message, and
  every other field keeps what was typed (the error summary in templates/macros/errors.html
  says it).
- ``keeps_input``: for a view whose form is where people write, so that an expired page
  reaches that behaviour instead of the app-wide CSRF error page (which loses every word).
- ``init_app``: the same characters are dropped from every query-string and form value at the
  edge (``request.args``, ``request.form``), so a filter read outside a form (``?q=%00``)
  never reaches the database with a NUL, which PostgreSQL refuses.
- Fields and validators: ``Required`` (strip first, then require: whitespace alone is no
  answer), ``choices``, ``at_most`` (a length limit in our own words), ``OneOf``,
  ``Choice``/``OptionalSelect``/``Checkboxes`` (choices checked against what was offered), and
  the GOV.UK date input ``DateInput`` with ``RealDate`` and ``Within``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import wraps

from babel.lists import format_list
from flask import g, has_request_context
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import Field, PasswordField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hsm.extensions import csrf
from hsm.i18n import _, _l, format_locale

# The one message for a page kept open too long (its CSRF token expired or is missing).
EXPIRED = _l("For your safety, this page had expired, so nothing was sent. Check your answers, "
             "then send the form again.")
CHOOSE_AN_OPTION = _l("Choose one of the options.")
# Characters no person types: C0 controls but tab and line breaks, DEL, and lone surrogates
# (not text at all; they cannot even be encoded). NUL makes PostgreSQL refuse the statement.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def printable(value):
    """Filter: drop the characters no person types; nothing else changes (for passwords).
    A list (checkboxes, a multiple select) is filtered item by item."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [printable(item) for item in value]
    return value


def clean(value):
    """Filter: trim, and drop control characters that no person types (NUL breaks databases).
    A list (checkboxes, a multiple select) is cleaned item by item."""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


class _FilteringMeta:
    def bind_field(self, form, unbound_field, options):
        """Every field gets the one filter first (a password keeps its spaces)."""
        first = printable if issubclass(unbound_field.field_class, PasswordField) else clean
        filters = [f for f in unbound_field.kwargs.get("filters", ()) if f is not first]
        return super().bind_field(form, unbound_field, {**options, "filters": [first, *filters]})


class PrintableMultiDict(ImmutableMultiDict):
    """Query-string and form values with the characters no person types dropped (the same
    ones as ``printable``); file uploads pass through."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            items = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            items = ((k, v) for k, vs in mapping.items()
                     for v in (vs if isinstance(vs, list | tuple) else [vs]))
        else:
            items = mapping
        super().__init__([(printable(k), printable(v)) for k, v in items])


def init_app(app) -> None:
    """Every request's ``args`` and ``form`` are filtered at the edge (after htmx's request
    class, which it extends)."""
    app.request_class = type("Request", (app.request_class,),
                             {"parameter_storage_class": PrintableMultiDict})


class Form(FlaskForm):
    """The base of every form: every field filtered by the one filter, and an expired page
    said the same way on every form.

    A form shown again after ``validate()`` keeps every answer the person typed (WTForms keeps
    the posted data); only the token is new.
    """

    class Meta(_FilteringMeta, FlaskForm.Meta):
        pass

    @property
    def csrf_expired(self) -> bool:
        """True when the form was refused for its CSRF token alone or among other mistakes."""
        token = getattr(self, "csrf_token", None)
        return bool(token is not None and token.errors) or csrf_refused()

    @property
    def expired_message(self) -> str:
        return str(EXPIRED)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.csrf_expired:
            token = getattr(self, "csrf_token", None)
            if token is not None:
                token.errors = [EXPIRED]
            return False  # a request whose token was refused is never acted on
        return ok


def csrf_refused() -> bool:
    """True in a request whose CSRF token ``keeps_input`` refused."""
    return has_request_context() and bool(g.get("hsm_csrf_refused"))


def keeps_input(view):
    """Mark a view whose ``Form`` is validated before anything changes.

    The app-wide CSRF check answers a stale or missing token (a page kept open across a new
    sign-in, a cookie cleared) with an error page, and every word typed is gone. Here the token
    is checked the same way first, but a refused request goes on to the view, marked: its form
    fails with the one ``EXPIRED`` message and shows again, filled in, with a fresh token; and
    the request's commit point rolls back anything the request did, whatever it answers, and
    sends no mail (hsm/transaction.py). Put it just above the view function.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        try:
            csrf.protect()  # nothing to check for a GET
        except CSRFError:
            g.hsm_csrf_refused = True
        return view(*args, **kwargs)

    return csrf.exempt(checked)


class Required:
    """Strip first, then require: the one "must be answered" validator of every form.

    It judges the filtered data (``clean`` has trimmed it), so an answer of spaces alone is
    refused with the field's message, where WTForms' ``InputRequired`` looks at the raw input
    and lets "   " through to be saved as nothing. Nothing else is checked once it fails.
    """

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        # A box that must be ticked (a welfare check made) is missing while it is not.
        missing = (data is None or data is False
                   or (isinstance(data, str) and not data.strip())
                   or (isinstance(data, list | tuple) and not data))
        if missing:
            field.errors[:] = []
            raise StopValidation(str(self.message))


def choices(pairs) -> list[SelectChoice]:
    """Choices in the shape WTForms wants, from a mapping or (value, label) pairs."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(str(value), label) for value, label in items]


def at_most(limit: int) -> Length:
    """A length limit whose message is in our own plain words (WTForms fills in the number)."""
    return Length(max=limit, message=_l("This must be %(max)d characters or fewer."))


def offered(field) -> set[str]:
    """The values a choice field offered."""
    return {choice.value for choice in field.choices}


class OneOf:
    """The answer must be one of the offered choices (and present, when ``required``)."""

    def __init__(self, allowed, message, required=True):
        self.allowed, self.message, self.required = frozenset(allowed), message, required

    def __call__(self, form, field):
        values = field.data if isinstance(field.data, list) else [field.data]
        values = [v for v in values if v not in (None, "")]
        if (self.required and not values) or any(v not in self.allowed for v in values):
            raise ValidationError(self.message)


class Choice(RadioField):
    """A radio group that leaves "nothing chosen" to its InputRequired message."""

    def pre_validate(self, form):
        if self.data and self.data not in offered(self):
            raise ValidationError(str(CHOOSE_AN_OPTION))


class OptionalSelect(SelectField):
    """A select whose empty answer is allowed; anything not offered is refused."""

    def pre_validate(self, form):
        if self.data and self.data not in offered(self):
            raise ValidationError(str(CHOOSE_AN_OPTION))


class Checkboxes(SelectMultipleField):
    """Checkboxes, each answer checked against what was offered."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        if any(v not in offered(self) for v in self.data or ()):
            raise ValidationError(str(CHOOSE_AN_OPTION))

PARTS = ("day", "month", "year")
# Each part as a sentence names it ("enter the day and the month"), with its article.
PART_WORDS = {"day": _l("the day"), "month": _l("the month"), "year": _l("the year")}


class DateInput(Field):
    """A date typed in three boxes, day, month and year (the GOV.UK date input).

    It works in every browser and without JavaScript, where ``type=date`` shows each
    browser's own format (mm/dd/yyyy in many). The boxes post ``<name>-day``,
    ``<name>-month`` and ``<name>-year``; ``raw`` keeps exactly what was typed, so a page
    shown again with a mistake shows the person's own input. ``data`` is the date, or None
    while the boxes do not make a real date.

    The field judges nothing by itself, so that a form can decide when it applies (a date of
    birth only for a named report). Call ``checked()`` from a validator, or use
    ``RealDate``: either names the parts that are wrong, in the person's language, and
    records them in ``invalid_parts`` for the markup (``aria-invalid`` on those boxes).
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.raw = dict.fromkeys(PARTS, "")
        self.invalid_parts: tuple[str, ...] = ()

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if self.data is not None:
            self.raw = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is not None:
            self.raw = {part: _typed(formdata.get(self.part_name(part))) for part in PARTS}
            try:
                self.data = self._parse()
            except ValidationError:
                self.data = None

    def part_name(self, part: str) -> str:
        """The name (and id) of one box: ``date_of_birth-day``."""
        return f"{self.name}-{part}"

    @property
    def first_invalid(self) -> str:
        """The box the error summary links to: the first wrong one, else the day."""
        return self.part_name(self.invalid_parts[0] if self.invalid_parts else "day")

    @property
    def invalid_ids(self) -> list[str]:
        return [self.part_name(part) for part in self.invalid_parts]

    def checked(self, required: str | None = None) -> date | None:
        """The date typed; a ValidationError naming the wrong parts if it is not a real date.

        Empty boxes give None, or the ``required`` message when the date must be given.
        """
        self.invalid_parts = ()
        if not any(self.raw.values()):
            if required:
                self.invalid_parts = PARTS
                raise ValidationError(required)
            return None
        try:
            return self._parse()
        except ValidationError as error:
            self.invalid_parts = tuple(error.args[1])
            raise ValidationError(error.args[0]) from None

    def refuse(self, message: str) -> None:
        """Refuse a real date for a rule of the form (in the future, too long ago)."""
        self.invalid_parts = PARTS
        raise ValidationError(message)

    def _parse(self) -> date:
        label = self.label.text
        missing = [part for part in PARTS if not self.raw[part]]
        if missing:
            words = format_list([str(PART_WORDS[p]) for p in missing], locale=format_locale())
            raise ValidationError(_("%(label)s: enter %(parts)s.", label=label, parts=words),
                                  missing)
        day, month, year = (_number(self.raw[part]) for part in PARTS)
        wrong = [part for part, ok in (("day", day is not None and 1 <= day <= 31),
                                       ("month", month is not None and 1 <= month <= 12),
                                       ("year", year is not None and 1000 <= year <= 9999))
                 if not ok]  # fmt: skip
        if len(wrong) > 1:
            raise ValidationError(
                _("%(label)s: enter a real date, with numbers for the day, month and year.",
                  label=label), wrong)
        if wrong == ["day"]:
            raise ValidationError(
                _("%(label)s: the day must be a number from 1 to 31.", label=label), wrong)
        if wrong == ["month"]:
            raise ValidationError(
                _("%(label)s: the month must be a number from 1 to 12.", label=label), wrong)
        if wrong == ["year"]:
            raise ValidationError(
                _("%(label)s: the year must have 4 numbers, like 2004.", label=label), wrong)
        try:
            return date(year, month, day)  # type: ignore[arg-type]
        except ValueError:
            raise ValidationError(
                _("%(label)s: this date does not exist. Check the day and the month.",
                  label=label), ["day", "month"]) from None


class RealDate:
    """Validator: the date must be real (and given, with a ``required`` message)."""

    def __init__(self, required: str | None = None):
        self.required = required

    def __call__(self, form, field: DateInput) -> None:
        field.checked(str(self.required) if self.required else None)


class Within:
    """Validator after ``RealDate`` (or on a date filter): the date lies from ``earliest`` to
    ``latest()``, so no date reaches a query that the database or Python cannot count from
    (``9999-12-31`` plus a day overflows).

    ``latest`` is a function, so that "a year ahead" is counted on the day of the request.
    """

    def __init__(self, earliest: date, latest: Callable[[], date], message=None):
        self.earliest, self.latest, self.message = earliest, latest, message

    def __call__(self, form, field: DateInput) -> None:
        last = self.latest()
        if field.data is not None and not self.earliest <= field.data <= last:
            message = str(self.message) if self.message else _(
                "Enter a date between %(first)s and %(last)s.",
                first=self.earliest.year, last=last.year)
            if isinstance(field, DateInput):
                field.refuse(message)
            raise ValidationError(message)


def _typed(value) -> str:
    """What was typed in one box: trimmed, and only printable characters."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:20]


def _number(text: str) -> int | None:
    """Digits only ("07" is 7); anything else is not a number."""
    return int(text) if text.isascii() and text.isdigit() else None
