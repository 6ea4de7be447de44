"""The Safe Contact application kept open too long keeps every word (hsm.forms.keeps_input)."""

from __future__ import annotations

import sqlalchemy as sa

from hsm.extensions import db
from hsm.safecontacts.models import SafeContact
from tests.safecontacts.conftest import application

EXPIRED = "For your safety, this page had expired, so nothing was sent."
STALE = "a-token-from-an-earlier-sign-in"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_safe_contact_application_comes_back_filled_in(client):
    data = application(client, csrf_token=STALE, statement="My own words " * 30)
    response = client.post("/safe-contacts/apply", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert EXPIRED in html and "There is a problem" in html
    assert 'value="Alex Volunteer"' in html and "My own words My own words" in html
    assert STALE not in html  # a fresh token
    assert _count(SafeContact) == 0
