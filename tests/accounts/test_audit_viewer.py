"""The audit viewer: filters, paging with a constant number of queries, the chain's state."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hsm import audit
from hsm.audit import AuditEntry
from tests.factories import make_user

AUDIT = "/staff/audit"


def fill(n, **kwargs):
    for i in range(n):
        audit.record(kwargs.get("action", "test.event"), target_type="thing", target_id=i,
                     centre=kwargs.get("centre", ""), actor=kwargs.get("actor"))


def test_only_the_safeguarding_director_reads_the_log(client, login_as):
    for role, centre in (("admin", None), ("student_services", "uk"), ("executive", None)):
        login_as(role, centre)
        assert client.get(AUDIT).status_code == 403
    login_as("safeguarding_director")
    assert client.get(AUDIT).status_code == 200


def test_filters_by_action_actor_centre_and_dates(client, login_as, db):
    login_as("safeguarding_director")
    someone = make_user(email="robin.ashdown@example.org")
    fill(2, action="case.viewed", centre="uk", actor=someone)
    fill(3, action="report.viewed", centre="paris")
    db.session.commit()

    page = client.get(AUDIT, query_string={"action": "case.viewed"}).data.decode()
    assert page.count("<code>case.viewed</code>") == 2 and "<code>report.viewed</code>" not in page
    page = client.get(AUDIT, query_string={"actor": "ROBIN"}).data.decode()
    assert page.count("robin.ashdown@example.org</td>") == 2
    page = client.get(AUDIT, query_string={"centre": "paris"}).data.decode()
    assert page.count("<code>report.viewed</code>") == 3 and "<code>case.viewed" not in page

    db.session.execute(sa.update(AuditEntry).where(AuditEntry.action == "report.viewed")
                       .values(created_at=datetime(2026, 1, 10, 23, 30, tzinfo=UTC)))
    db.session.commit()
    page = client.get(AUDIT, query_string={"date_from": "2026-01-10",
                                           "date_to": "10/01/2026"}).data.decode()
    assert page.count("<code>report.viewed</code>") == 3 and "<code>case.viewed" not in page


def test_bad_dates_get_a_clear_message_and_keep_the_input(client, login_as):
    login_as("safeguarding_director")
    response = client.get(AUDIT, query_string={"date_from": "next tuesday"})
    assert response.status_code == 200
    assert b"Enter a real date" in response.data
    assert b'value="next tuesday"' in response.data
    response = client.get(AUDIT, query_string={"date_from": "2026-02-02",
                                               "date_to": "2026-02-01"})
    assert b"on or after the start date" in response.data


def test_htmx_filtering_returns_the_fragment(client, login_as):
    login_as("safeguarding_director")
    response = client.get(AUDIT, query_string={"action": ""}, headers={"HX-Request": "true"})
    assert response.data.lstrip().startswith(b'<div id="audit">')
    assert "HX-Request" in response.headers["Vary"]


def test_pages_take_a_constant_number_of_queries(client, login_as, db, count_queries):
    login_as("safeguarding_director")
    fill(10)
    db.session.commit()
    with count_queries() as few:
        client.get(AUDIT)
    fill(140)
    db.session.commit()
    with count_queries() as many:
        response = client.get(AUDIT, query_string={"page": 2})
    assert many.count == few.count
    assert b"Older entries" in response.data and b"Newer entries" in response.data


def test_the_chain_state_is_shown_and_tampering_is_named(client, login_as, db):
    login_as("safeguarding_director")
    fill(3)
    db.session.commit()
    assert b"Intact" in client.get(f"{AUDIT}/chain").data
    second = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()[1]
    second.target_id = "edited"
    db.session.commit()
    response = client.get(f"{AUDIT}/chain", headers={"HX-Request": "true"})
    assert response.data.lstrip().startswith(b'<div id="audit-chain"')
    assert f"breaks at entry {second.id}".encode() in response.data


def test_entries_older_than_the_filter_are_left_out(client, login_as, db):
    login_as("safeguarding_director")
    fill(1, action="old.thing")
    db.session.execute(sa.update(AuditEntry).values(
        created_at=datetime.now(UTC) - timedelta(days=40)))
    db.session.commit()
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    page = client.get(AUDIT, query_string={"date_from": since}).data
    assert b"<code>old.thing</code>" not in page


def test_filtering_announces_the_result_and_moves_focus_to_it(client, login_as, db):
    login_as("safeguarding_director")
    fill(3, action="case.viewed")
    db.session.commit()
    first = client.get(AUDIT).data.decode()
    assert 'id="audit-results"' in first and "autofocus" not in first
    filtered = client.get(AUDIT, query_string={"action": "case.viewed"},
                          headers={"HX-Request": "true"}).data.decode()
    assert 'role="status" tabindex="-1" autofocus>3 entries on this page.' in filtered
    none = client.get(AUDIT, query_string={"actor": "nobody-at-all"},
                      headers={"HX-Request": "true"}).data.decode()
    assert "autofocus>No entries match these filters." in none
    wrong = client.get(AUDIT, query_string={"date_from": "soon"}).data.decode()
    assert wrong.count("autofocus") == 1 and 'class="error-summary"' in wrong
