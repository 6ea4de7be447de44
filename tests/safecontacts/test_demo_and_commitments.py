"""Demo data loads twice without duplicates; missed meetings are listed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from hsm.extensions import db
from hsm.safecontacts import commitments, demo
from hsm.safecontacts.commitments import MeetingFacts
from hsm.safecontacts.models import SafeContact
from tests.safecontacts.conftest import csrf


def test_demo_is_idempotent_and_shows_in_the_directory(client):
    demo.load()
    db.session.commit()
    demo.load()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(SafeContact.id))) == len(demo.PEOPLE)
    html = client.get("/safe-contacts").get_data(as_text=True)
    assert "4 Safe Contacts found" in html
    assert "Trained to support people affected by sexual violence" in html


def test_missed_meetings_count_only_after_joining():
    meetings = [
        MeetingFacts(1, "termly_meeting", date(2025, 1, 10), frozenset({1})),
        MeetingFacts(2, "supervision", date(2025, 3, 10), frozenset({1, 2})),
        MeetingFacts(3, "termly_meeting", date(2025, 5, 10), frozenset({2})),
    ]
    members = [(1, date(2024, 9, 1)), (2, date(2025, 2, 1)), (3, date(2025, 6, 1))]
    missed = commitments.missed_meetings(members, meetings, since=date(2024, 6, 1))
    assert {k: [m.id for m in v] for k, v in missed.items()} == {1: [3]}
    assert commitments.missed_meetings(members, meetings, since=date(2025, 6, 1)) == {}


def test_recording_a_session_lists_who_missed_it(client, login_as, contact_factory):
    came = contact_factory(name="Came Along")
    missed = contact_factory(name="Was Missing")
    db.session.commit()
    login_as("edi_officer")
    held = (datetime.now(UTC) + timedelta(days=1)).date()
    response = client.post(
        "/staff/safe-contacts/commitments",
        data={
            "csrf_token": csrf(client),
            "kind": "supervision",
            "held_on-day": held.day, "held_on-month": held.month, "held_on-year": held.year,
            "attendees": [str(came.id)],
        },
    )
    assert response.status_code == 303
    page = client.get("/staff/safe-contacts/commitments").get_data(as_text=True)
    listed = page.split('id="missed-title"', 1)[1].split("</section>", 1)[0]
    assert "Was Missing" in listed and "Came Along" not in listed
    assert missed.id


def test_bad_session_input_is_explained(client, login_as):
    login_as("edi_officer")
    response = client.post(
        "/staff/safe-contacts/commitments",
        data={"csrf_token": csrf(client), "kind": "party",
              "held_on-day": "31", "held_on-month": "31", "held_on-year": "2025"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Date: the month must be a number from 1 to 12." in html
    assert "Choose one of the options." in html
