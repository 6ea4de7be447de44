"""The inbox page is kept (hsm/keep.py) under a version stamp that every change it shows moves
in the same transaction (hsm/reports/freshness.py): a change shows on the next request, how
ever it was written, and nobody's name or token is ever kept."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hsm import keep
from hsm.extensions import db
from hsm.reports.models import Report
from hsm.reports.views import INBOX_PAGES
from tests.factories import make_user
from tests.helpers import second_client
from tests.reports.seed import seed_reports

ROW = re.compile(r'<tr>\s*<td><a href="/staff/reports/\d+">([^<]+)</a>')
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture(autouse=True)
def nothing_kept():
    INBOX_PAGES.clear()
    yield
    INBOX_PAGES.clear()


def refs(client, path: str = "/staff/reports") -> set[str]:
    return set(ROW.findall(client.get(path).get_data(as_text=True)))


def test_two_officers_share_one_kept_page_with_their_own_name_and_token(app, make_report):
    make_report("uk")
    first = make_user(("student_services", "uk"), name="Fictional Kept One")
    second = make_user(("student_services", "uk"), name="Fictional Kept Two")
    db.session.commit()
    pages = [second_client(app, user, db).get("/staff/reports").get_data(as_text=True)
             for user in (first, second)]
    assert len(INBOX_PAGES.entries) == 1
    assert "Fictional Kept One" in pages[0] and "Fictional Kept Two" in pages[1]
    assert TOKEN.search(pages[0]).group(1) != TOKEN.search(pages[1]).group(1)
    kept = "".join(INBOX_PAGES.entries.values())
    assert "Fictional Kept" not in kept and keep.TOKEN_MARK in kept
    assert not any(TOKEN.search(page).group(1) in kept for page in pages)


def test_every_kind_of_change_shows_on_the_next_request(client, login_as, make_report):
    report, _ = make_report("uk")
    login_as("student_services", "uk")
    assert refs(client) == {report.reference}
    assert INBOX_PAGES.entries  # kept: what follows would be stale without the stamp

    added, _ = make_report("uk")  # through the ORM
    assert refs(client) == {report.reference, added.reference}

    report.status = "closed"  # an ORM change: it leaves the open list
    db.session.commit()
    assert refs(client) == {added.reference}

    seed_reports(2, "uk")  # one INSERT of many rows
    assert len(refs(client)) == 3

    db.session.execute(sa.update(Report).values(status="closed"))  # one UPDATE
    db.session.commit()
    assert refs(client) == set()

    db.session.execute(sa.update(Report).values(status="new"))
    db.session.commit()
    assert len(refs(client)) == 4
    gone = added.reference
    db.session.execute(sa.delete(Report.__table__).where(Report.id == added.id))  # Core
    db.session.commit()
    assert gone not in refs(client) and len(refs(client)) == 3


def test_a_caseworker_renamed_shows_the_new_name(client, login_as, make_report):
    report, _ = make_report("uk")
    caseworker = make_user(("student_services", "uk"), name="Fictional Old Name")
    report.caseworker_id = caseworker.id
    db.session.commit()
    login_as("student_services", "uk")
    assert "Fictional Old Name" in client.get("/staff/reports").get_data(as_text=True)
    caseworker.name = "Fictional New Name"
    db.session.commit()
    html = client.get("/staff/reports").get_data(as_text=True)
    assert "Fictional New Name" in html and "Fictional Old Name" not in html


def test_other_roles_and_other_queries_are_other_pages(app, client, login_as, make_report):
    uk, _ = make_report("uk")
    paris, _ = make_report("paris")
    login_as("student_services", "uk")
    assert refs(client) == {uk.reference}
    other = second_client(app, make_user(("student_services", "paris")), db)
    assert refs(other) == {paris.reference}
    assert len(INBOX_PAGES.entries) == 2
    # Not the page's own query (an unknown argument, a value read as another, a repeat):
    # made for this request alone, never kept.
    for path in ("/staff/reports?x=1", "/staff/reports?status=nonsense",
                 "/staff/reports?status=open&status=new"):
        assert refs(client, path) == {uk.reference}
    assert len(INBOX_PAGES.entries) == 2
    assert refs(client, "/staff/reports?status=open&centre=uk") == {uk.reference}
    assert len(INBOX_PAGES.entries) == 3
