"""A staff reply kept open too long comes back in its own form (hsm.forms.keeps_input)."""

from __future__ import annotations

import sqlalchemy as sa

from hsm.extensions import db
from hsm.reports.models import ReportMessage

EXPIRED = "For your safety, this page had expired, so nothing was sent."
STALE = "a-token-from-an-earlier-sign-in"
HX = {"HX-Request": "true"}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_reply_comes_back_in_its_own_form(client, login_as, make_report):
    report, _code = make_report("uk")
    login_as("student_services", "uk")
    client.get(f"/staff/reports/{report.id}")
    reply = {"reply-body": "We are here for you.", "csrf_token": STALE}
    page = client.post(f"/staff/reports/{report.id}/reply", data=reply).get_data(as_text=True)
    assert EXPIRED in page and "We are here for you.</textarea>" in page
    swap = client.post(f"/staff/reports/{report.id}/reply", data=reply, headers=HX)
    html = swap.get_data(as_text=True)
    assert html.lstrip().startswith("<form") and EXPIRED in html
    assert 'role="alert"' in html and "We are here for you.</textarea>" in html
    assert _count(ReportMessage) == 0
