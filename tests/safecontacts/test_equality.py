"""Equality monitoring: stored apart, encrypted, and only ever shown as suppressed totals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from hsm.extensions import db
from hsm.safecontacts import equality
from hsm.safecontacts.models import EqualityResponse, SafeContact
from hsm.stats import operations as stats_operations
from tests.safecontacts.conftest import application

STAFF_PAGES = (
    "/staff/safe-contacts/board",
    "/staff/safe-contacts/training",
    "/staff/safe-contacts/commitments",
    "/staff/safe-contacts/diversity",
)


def test_suppression_hides_small_counts_and_what_would_give_them_away():
    rows = [{"gender": "woman"}] * 12 + [{"gender": "man"}] * 3 + [{"gender": "non_binary"}] * 7
    stored = equality.protected(rows)
    gender = stored["questions"]["gender"]
    assert stored["total"] == ["shown", 22]
    assert gender["man"] == ["fewer", None]
    assert gender["non_binary"] == ["hidden", None]  # 22 - 12 - 0 - 0 - 0 would give 3 away
    assert gender["woman"] == ["shown", 12] and gender["another"] == ["shown", 0]


def test_summary_counts_and_ignores_unknown_values():
    rows = [{"gender": "woman"}] * 6 + [{"gender": "man"}] * 2 + [{"gender": "marker"}]
    total, summaries = equality.summary_from(equality.protected(rows))
    assert total.count == 9
    gender = next(s for s in summaries if s.question == "gender")
    counts = {c.code: c.count for c in gender.cells}
    assert counts["woman"] == 6
    assert counts["man"] is None
    assert "marker" not in counts
    assert equality.summary_from(equality.protected([{"gender": "woman"}] * 4))[0].count is None
    assert equality.summary_from(None) == (None, [])


def test_the_table_cannot_be_linked_to_an_application():
    table = EqualityResponse.__table__
    assert not table.foreign_keys
    assert set(table.columns.keys()) == {
        "id",
        "gender",
        "ethnic_group",
        "disability",
        "sexual_orientation",
        "religion",
    }
    assert table.c.id.type.python_type is str  # a random key, not a counter


def test_answers_are_encrypted_at_rest(client, mail):
    client.post(
        "/safe-contacts/apply", data=application(client, religion="buddhist", gender="non_binary")
    )
    raw = db.session.execute(sa.text("SELECT gender, religion FROM equality_response")).one()
    assert "non_binary" not in raw[0] and "buddhist" not in raw[1]
    stored = db.session.scalar(sa.select(EqualityResponse))
    assert (stored.gender, stored.religion) == ("non_binary", "buddhist")


def test_equality_values_never_appear_except_as_totals(client, login_as, mail):
    # Four applicants give distinctive answers through the real form...
    for n in range(4):
        client.post(
            "/safe-contacts/apply",
            data=application(
                client,
                email=f"applicant{n}@example.org",
                gender="non_binary",
                religion="sikh",
                sexual_orientation="bisexual",
                ethnic_group="arab",
            ),
        )
    # ...and some rows hold values no label exists for, to catch any raw rendering.
    for _ in range(6):
        db.session.add(EqualityResponse(gender="zz-marker-gender", religion="zz-marker-religion"))
    db.session.execute(sa.update(SafeContact).values(email_confirmed_at=sa.func.now()))
    db.session.commit()

    stats_operations.publish(None, date(2025, 11, 1), now=datetime(2025, 12, 3, tzinfo=UTC))
    db.session.commit()
    login_as("edi_officer")
    contact_ids = db.session.scalars(sa.select(SafeContact.id)).all()
    pages = [*STAFF_PAGES, *(f"/staff/safe-contacts/{i}" for i in contact_ids)]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "zz-marker" not in html, url
        for label in ("Non-binary", "Sikh", "Bisexual", "Arab"):
            if url.endswith("/diversity"):
                continue
            assert label not in html, (url, label)
    summary = client.get("/staff/safe-contacts/diversity").get_data(as_text=True)
    # Four people chose these answers: the summary says "fewer than 5", never 4.
    row = summary.split("Non-binary</td>", 1)[1].split("</tr>", 1)[0]
    assert "fewer than 5" in row and "4" not in row
    assert "Responses:</strong> 10" in summary

    # A new application moves nothing until the next snapshot is published.
    db.session.add(EqualityResponse(gender="non_binary"))
    db.session.commit()
    again = client.get("/staff/safe-contacts/diversity").get_data(as_text=True)
    assert again.split("<main", 1)[1] == summary.split("<main", 1)[1]  # the token may differ


def test_diversity_summary_needs_its_permission(client, login_as):
    login_as("safe_contact")
    assert client.get("/staff/safe-contacts/diversity").status_code == 403
    login_as("admin")
    assert client.get("/staff/safe-contacts/diversity").status_code == 403


def test_before_any_snapshot_the_summary_says_so(client, login_as):
    db.session.add(EqualityResponse(gender="woman"))
    db.session.commit()
    login_as("edi_officer")
    page = client.get("/staff/safe-contacts/diversity").get_data(as_text=True)
    assert "No statistics snapshot has been published yet" in page
    assert "Responses:" not in page
