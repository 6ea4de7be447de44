"""A page kept open too long (its CSRF token stale or gone) keeps every word typed in it.

On the forms where people write (a case's records, a report's reply and note, a letter, the
Safe Contact application, a biography, an invitation), a refused token shows the form again,
filled in, with the one "expired" message, instead of the error page that lost everything.
The token is still checked: nothing the request did is kept, and the app-wide check still
answers every other view.
"""

from __future__ import annotations

import sqlalchemy as sa

from hsm.audit import AuditEntry
from hsm.cases.models import CaseEvent
from hsm.extensions import db
from tests.helpers import csrf_from

EXPIRED = "For your safety, this page had expired, so nothing was sent."
STALE = "a-token-from-an-earlier-sign-in"
HX = {"HX-Request": "true"}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_case_note_comes_back_filled_in_and_nothing_is_kept(client, login_as, make_case):
    login_as("student_services", "uk")
    case = make_case()
    client.get(f"/staff/cases/{case.id}")
    events, audit = _count(CaseEvent), _count(AuditEntry)
    note = {"note-body": "What the student said on the phone, word for word.",
            "note-marking": "internal", "csrf_token": STALE}
    for headers in ({}, HX):
        response = client.post(f"/staff/cases/{case.id}/record/note", data=note, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert EXPIRED in html
        assert "What the student said on the phone, word for word." in html
        # Nothing the request did is kept: no note, and not even its reading of the case.
        assert (_count(CaseEvent), _count(AuditEntry)) == (events, audit)


def test_the_token_is_still_checked_everywhere_else(client, login_as, make_case):
    login_as("student_services", "uk")
    case = make_case()
    response = client.post(f"/staff/cases/{case.id}/move", data={"target": "support",
                                                                 "csrf_token": STALE})
    assert response.status_code == 400
    assert "this page stopped working after a while" in response.get_data(as_text=True)


def test_a_good_token_still_works(client, login_as, make_case):
    login_as("student_services", "uk")
    case = make_case()
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    note = {"note-body": "Kept.", "note-marking": "internal", "csrf_token": csrf_from(html)}
    response = client.post(f"/staff/cases/{case.id}/record/note", data=note)
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)
                             .where(CaseEvent.kind == "note")) == 1
