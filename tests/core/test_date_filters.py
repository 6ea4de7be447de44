"""Finding 5 of the outside test: ``/staff/audit?date_to=9999-12-31`` gave 500 (an
OverflowError adding the filter's day). Every date a form takes, filter or answer, is bounded
by the shared ``Within`` and refused with a clear message in the reader's language."""

from __future__ import annotations

import pytest
from wtforms import DateField

from hsm.forms import DateInput, Within
from hsm.i18n import force_locale
from tests.core.test_input_filtering import FORM_CLASSES, _build

AUDIT = "/staff/audit"


def test_every_date_field_of_every_form_is_bounded(app):
    """The walk that finds every date filter and date answer: each one has ``Within``, or its
    form's own rule (the report form's date of birth in the past, an incident not in the
    future, checked by ``hsm/reports/rules.py``)."""
    found = []
    with app.test_request_context(), force_locale("en"):
        for form_class in FORM_CLASSES:
            for field in _build(form_class):
                if isinstance(field, DateField | DateInput):
                    found.append(f"{form_class.__name__}.{field.name}")
                    own_rule = hasattr(form_class, f"validate_{field.name}")
                    bounded = any(isinstance(v, Within) for v in field.validators)
                    assert bounded or own_rule, found[-1]
    assert "AuditFilterForm.date_to" in found and "AuditFilterForm.date_from" in found


@pytest.mark.parametrize("locale", ["en", "nl", "fr"])
@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=9999-12-31",
                                   "date_from=0001-01-01", "date_to=31/12/9999",
                                   "date_from=0001-01-01&date_to=9999-12-31"])
def test_an_out_of_range_audit_date_is_a_message_not_a_500(client, login_as, locale, query):
    login_as("safeguarding_director")
    response = client.get(f"{AUDIT}?{query}&lang={locale}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    with force_locale(locale):
        from hsm.i18n import _

        expected = _("Enter a date between %(first)s and %(last)s.", first=2000, last=2027)
    assert expected.split("2000")[0] in html
    assert "9999" in html or "0001" in html  # what was typed is kept


def test_a_date_in_range_still_filters(client, login_as):
    login_as("safeguarding_director")
    response = client.get(f"{AUDIT}?date_from=2026-01-01&date_to=2026-12-31")
    assert response.status_code == 200
    assert 'class="error-summary"' not in response.get_data(as_text=True)
