"""The letters section's forms: preparing a letter, and recording its delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from wtforms import TextAreaField

from hsm.forms import Choice, DateInput, Form, RealDate, Required, Within, at_most, choices
from hsm.i18n import _l
from hsm.letters.content import TEXT_LIMIT
from hsm.letters.terms import DELIVERY_METHOD_LABELS


class LetterForm(Form):
    """What staff write for a letter (the allegation summary; what the complaint was)."""

    text = TextAreaField(_l("The text of the letter"), validators=[at_most(TEXT_LIMIT)])


class DeliveryForm(Form):
    method = Choice(_l("How was it delivered?"),
                    choices=choices(DELIVERY_METHOD_LABELS.items()),
                    validators=[Required(_l("Choose how it was delivered"))])
    delivered_on = DateInput(_l("When was it delivered?"), validators=[
        RealDate(_l("Enter the date it was delivered")),
        # A day of slack for the time zones: the operation checks the centre's own today.
        Within(date(2000, 1, 1), lambda: datetime.now(UTC).date() + timedelta(days=1),
               _l("The date cannot be in the future.")),
    ])
