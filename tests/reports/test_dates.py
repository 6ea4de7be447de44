"""The GOV.UK date input on the report form (hsm/forms.py DateInput, macros/fields.html).

Day, month and year boxes, in every browser and without JavaScript: a mistake names the
part that is wrong, in the reporter's language, and what was typed comes back as typed.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from hsm.extensions import db
from hsm.forms import DateInput
from hsm.reports.models import Report
from tests.helpers import csrf_token
from tests.reports.conftest import named_form

NNBSP = "\u202f"  # French puts a narrow no-break space before a colon


def page_for(submit, *, lang="en", **dob):
    response, code = submit("uk", named_form(date_of_birth=(
        dob.get("day", ""), dob.get("month", ""), dob.get("year", ""))), lang=lang)
    assert code is None
    return response.get_data(as_text=True)


def invalid_boxes(html: str, name: str = "date_of_birth") -> set[str]:
    return {part for part in ("day", "month", "year")
            if re.search(rf'<input [^>]*id="{name}-{part}"[^>]*aria-invalid="true"', html)}


def test_the_form_has_three_labelled_number_boxes_in_a_fieldset(client):
    html = client.get("/uk/report?lang=en").get_data(as_text=True)
    block = html[html.index('id="field-date_of_birth"'):html.index('id="field-contact_method"')]
    assert '<fieldset class="date-input"' in block and "<legend>Date of birth</legend>" in block
    for part, label in (("day", "Day"), ("month", "Month"), ("year", "Year")):
        assert f'<label for="date_of_birth-{part}">{label}</label>' in block
        box = re.search(rf'<input [^>]*id="date_of_birth-{part}"[^>]*>', block).group(0)
        assert 'type="text"' in box and 'inputmode="numeric"' in box
        assert f'autocomplete="bday-{part}"' in box
    assert 'type="date"' not in html
    assert "For example, 27 3 2004." in block


@pytest.mark.parametrize(
    ("typed", "message", "wrong"),
    [
        ({"day": "9"}, "Date of birth: enter the month and the year.", {"month", "year"}),
        ({"day": "9", "month": "11"}, "Date of birth: enter the year.", {"year"}),
        ({"day": "abc", "month": "11", "year": "2001"},
         "Date of birth: the day must be a number from 1 to 31.", {"day"}),
        ({"day": "9", "month": "13", "year": "2001"},
         "Date of birth: the month must be a number from 1 to 12.", {"month"}),
        ({"day": "9", "month": "11", "year": "01"},
         "Date of birth: the year must have 4 numbers, like 2004.", {"year"}),
        ({"day": "0", "month": "0", "year": "2001"},
         "Date of birth: enter a real date, with numbers for the day, month and year.",
         {"day", "month"}),
        ({"day": "29", "month": "2", "year": "2001"},
         "Date of birth: this date does not exist. Check the day and the month.",
         {"day", "month"}),
        ({"day": "1", "month": "1", "year": "2999"},
         "Check your date of birth: it must be in the past.", {"day", "month", "year"}),
        ({}, "Enter your date of birth.", {"day", "month", "year"}),
    ],
)
def test_a_wrong_date_names_the_wrong_part_and_keeps_what_was_typed(submit, typed, message,
                                                                    wrong):
    html = page_for(submit, **typed)
    assert message in html
    assert invalid_boxes(html) == wrong
    for part, value in typed.items():
        assert re.search(rf'id="date_of_birth-{part}"[^>]*value="{value}"', html)
    # The error summary takes the reporter to the first wrong box.
    first = next(p for p in ("day", "month", "year") if p in wrong)
    assert f'<a href="#date_of_birth-{first}">' in html


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("nl", "Geboortedatum: vul de maand en het jaar in."),
        ("fr", f"Date de naissance{NNBSP}: indiquez le mois et l’année."),
    ],
)
def test_the_messages_are_in_the_reporters_language(submit, lang, message):
    assert message in page_for(submit, lang=lang, day="9")


def test_a_real_date_is_stored_and_spaces_or_zeros_do_not_matter(submit):
    response, code = submit("uk", named_form(date_of_birth=(" 09 ", "03", "2004")))
    assert code
    assert db.session.scalar(sa.select(Report)).date_of_birth == "2004-03-09"


def test_a_date_that_does_not_apply_is_not_judged(submit):
    """An anonymous report with half a date of birth typed before changing their mind."""
    data = named_form(anonymous="yes", anonymity_reason="privacy", date_of_birth=("31", "", ""))
    response, code = submit("uk", data)
    assert code
    assert db.session.scalar(sa.select(Report)).date_of_birth is None


def test_the_inline_check_of_a_date_names_the_wrong_boxes(client):
    token = csrf_token(client, "/uk/report")
    html = client.post(
        "/uk/report/check/when_date",
        data={"csrf_token": token, "when_kind": "date", "when_date-day": "30",
              "when_date-month": "2", "when_date-year": "2024"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert 'data-invalid="when_date-day when_date-month"' in html
    assert "Date it happened: this date does not exist." in html


def test_a_date_input_shows_a_stored_date_in_its_boxes(app):
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        day = DateInput("Day of the chat")

    with app.test_request_context():
        form = Form(formdata=None, meta={"csrf": False}, day=date(2025, 3, 7))
        assert form.day.raw == {"day": "7", "month": "3", "year": "2025"}
        assert form.day.checked() == date(2025, 3, 7)
        form = Form(formdata=MultiDict({"day-day": "7"}), meta={"csrf": False})
        assert form.day.data is None
