"""Fixtures of the reports area: a valid form, a submitter, and reports made the real way."""

from __future__ import annotations

import re

import pytest

from hsm.reports import operations
from hsm.reports.models import Report
from tests.helpers import csrf_token

RECEIPT = re.compile(r'id="receipt-code"[^>]*>([^<]+)<')


DATE_FIELDS = ("date_of_birth", "when_date")


def date_boxes(name: str, value) -> dict:
    """A date as the form's three boxes post it: from "2003-05-17", or (day, month, year)."""
    if isinstance(value, str):
        year, month, day = value.split("-")
        value = (str(int(day)), str(int(month)), year)
    return dict(zip((f"{name}-day", f"{name}-month", f"{name}-year"), value, strict=True))


def valid_form(**overrides) -> dict:
    """A complete anonymous report, as the browser would post it (without the CSRF token).

    Dates are given as "YYYY-MM-DD" or (day, month, year) and posted as the three boxes.
    """
    data = {
        "anonymous": "yes",
        "anonymity_reason": "privacy",
        "about": "me",
        "categories": ["harassment"],
        "narrative": "Someone in my class keeps sending me messages I do not want.",
        "when_kind": "ongoing",
        "where": "online",
        "respondent": "student",
        "wishes": ["support"],
        "immediate_danger": "no",
        "under_18": "no",
        "consent_earlier_notes": "not_applicable",
    }
    data.update(overrides)
    for name in DATE_FIELDS:
        if data.get(name) is not None:
            data.update(date_boxes(name, data.pop(name)))
    return {k: v for k, v in data.items() if v is not None}


def named_form(**overrides) -> dict:
    named = {
        "anonymous": "no",
        "anonymity_reason": None,
        "first_name": "Alex",
        "last_name": "Example",
        "student_number": "S1234567",
        "date_of_birth": "2003-05-17",
        "contact_method": "email",
        "contact_detail": "alex@example.net",
        "safe_times": "Weekdays after 4pm",
    }
    return valid_form(**(named | overrides))


@pytest.fixture
def submit(client):
    """Post the form at ``centre``; return (response, receipt code or None)."""

    def send(centre: str = "uk", data: dict | None = None, lang: str = "en", **client_kwargs):
        url = f"/{centre}/report"
        form = dict(valid_form() if data is None else data)
        # English, whatever the centre's own language (the browser tests cover Dutch).
        form["csrf_token"] = csrf_token(client, url + "?lang=" + lang)
        response = client.post(url, data=form, **client_kwargs)
        found = RECEIPT.search(response.get_data(as_text=True))
        return response, found.group(1) if found else None

    return send


@pytest.fixture
def make_report(app):
    """A report stored through the real operation; returns (report, grouped receipt code)."""

    def make(centre: str = "uk", **overrides) -> tuple[Report, str]:
        from hsm.extensions import db
        from hsm.reports.forms import ReportForm

        data = valid_form(**overrides)
        with app.test_request_context(method="POST", data=data):
            form = ReportForm(meta={"csrf": False})
            assert form.validate(), form.errors
            submission = form.to_submission()
        report, code = operations.submit_report(
            submission, centre=centre, pepper=app.config["HSM_RECEIPT_PEPPER"]
        )
        db.session.commit()
        return report, code.grouped()

    return make
