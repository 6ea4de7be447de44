"""The inbox pages by keyset: every report appears once, in order, on any page, whatever the
filters and however many reports share a moment; page N costs what page 1 costs."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from hsm.extensions import db
from hsm.reports.models import Report
from hsm.reports.queries import (
    COUNT_BOUND,
    PAGE_SIZE,
    Cursor,
    InboxFilters,
    Scopes,
    inbox_page,
)
from hsm.reports.views import INBOX_PAGES
from hsm.security import Role
from tests.factories import make_user
from tests.reports.seed import seed_reports

REF = re.compile(r">(S-\d{8}-[0-9a-f]{4})<")
BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_refs = itertools.count(1)


def insert(rows: list[dict]) -> None:
    """Bare reports with the given (status, urgency, received_at, centre, flags)."""
    full = []
    for row in rows:
        n = next(_refs)
        full.append({
            "reference": f"K-{n:08d}", "lookup_id": f"{n:08d}"[-8:], "secret_hash": "x",
            "centre": row.get("centre", "uk"), "status": row["status"],
            "urgency": row["urgency"], "received_at": row["received_at"],
            "immediate_danger": row.get("immediate_danger", False),
            "under_18": False, "staff_respondent": row.get("staff_respondent", False),
            "anonymous": False, "third_party": False, "about": "me", "categories": [],
            "narrative": "x", "when_kind": "ongoing", "where": "online",
            "respondent": "student", "wishes": [], "consent_earlier_notes": "not_applicable",
        })
    if full:
        db.session.execute(sa.insert(Report), full)
    db.session.commit()


def expected(filters: InboxFilters, scopes: Scopes) -> list[int]:
    """The whole list in the inbox's order, worked out in Python."""
    statuses = {
        "open": {"new", "acknowledged"}, "new": {"new"}, "acknowledged": {"acknowledged"},
        "closed": {"closed"}, "all": {"new", "acknowledged", "closed"},
    }[filters.status]
    reports = db.session.scalars(sa.select(Report)).all()
    kept = [
        r for r in reports
        if r.status in statuses and scopes.sees(r)
        and (not filters.centre or r.centre == filters.centre)
        and (not filters.flag or getattr(r, filters.flag))
    ]
    return [r.id for r in sorted(kept, key=lambda r: Cursor.of(r).sort_key())]


def walk_forward(scopes: Scopes, filters: InboxFilters) -> list[int]:
    seen, page = [], inbox_page(scopes, filters)
    assert not page.has_prev
    for _step in range(1000):
        seen += [r.id for r in page.reports]
        args = page.link_args("next")
        if args is None:
            return seen
        page = inbox_page(scopes, InboxFilters.from_args(MultiDict(args), ["uk", "paris"]))
    raise AssertionError("no end")


def walk_backward(scopes: Scopes, filters: InboxFilters) -> list[int]:
    seen, page = [], inbox_page(scopes, InboxFilters.from_args(
        MultiDict(filters.args(last="1")), ["uk", "paris"]))
    assert not page.has_next
    for _step in range(1000):
        seen = [r.id for r in page.reports] + seen
        args = page.link_args("prev")
        if args is None:
            return seen
        page = inbox_page(scopes, InboxFilters.from_args(MultiDict(args), ["uk", "paris"]))
    raise AssertionError("no start")


report_rows = st.lists(
    st.fixed_dictionaries({
        "status": st.sampled_from(["new", "acknowledged", "closed"]),
        "urgency": st.sampled_from([1, 2, 3]),
        # Few distinct moments, so that many reports share one (anonymous ones are kept to
        # the hour): the id decides between them.
        "received_at": st.integers(0, 4).map(lambda h: BASE + timedelta(hours=h)),
        "centre": st.sampled_from(["uk", "paris"]),
        "immediate_danger": st.booleans(),
        "staff_respondent": st.booleans(),
    }),
    max_size=70,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          max_examples=25)
@given(rows=report_rows,
       status=st.sampled_from(["open", "new", "closed", "all"]),
       centre=st.sampled_from(["", "uk"]),
       flag=st.sampled_from(["", "immediate_danger"]),
       role=st.sampled_from(["safeguarding_director", "student_services", "people_team"]))
def test_every_report_appears_once_in_order_forwards_and_backwards(
    rows, status, centre, flag, role
):
    db.session.execute(sa.delete(Report))
    db.session.commit()
    insert(rows)
    actor = make_user((role, None if role != "student_services" else "uk"))
    scopes = Scopes.of(actor)
    filters = InboxFilters(centre=centre, status=status, flag=flag)
    want = expected(filters, scopes)
    assert walk_forward(scopes, filters) == want
    assert walk_backward(scopes, filters) == want
    page = inbox_page(scopes, filters)
    assert (page.total, page.capped) == (len(want), False)
    db.session.execute(sa.delete(Report))
    db.session.commit()


def test_ties_on_the_same_moment_are_paged_by_id():
    insert([{"status": "new", "urgency": 1, "received_at": BASE}] * (PAGE_SIZE * 2 + 3))
    actor = make_user(Role.SAFEGUARDING_DIRECTOR)
    scopes = Scopes.of(actor)
    ids = walk_forward(scopes, InboxFilters())
    assert ids == sorted(ids) and len(ids) == PAGE_SIZE * 2 + 3
    assert walk_backward(scopes, InboxFilters()) == ids


@pytest.mark.parametrize("value", [
    "", "x", "4.1.1", "0.1.1", "1.1.0", "1..1", "1.1", "1.-5.3", "1.1.1.1",
    "3.999999999999999999.1", "1.1.99999999999999999999", "1.1.9223372036854775808", "1 .1.1",
    "١.١.١",
])
def test_a_cursor_that_is_not_one_is_ignored(value):
    assert Cursor.parse(value) is None


@pytest.mark.parametrize("query", [
    "after=3.99999999999999999.1", "before=1.0.9223372036854775807", "after=x&before=y",
    "before=2.1.1&after=\x00", "last=2", "last=1&after=1.1.1", "page=7",
])
def test_odd_positions_answer_a_page(client, login_as, query):
    seed_reports(3, "uk")
    login_as("student_services", "uk")
    assert client.get("/staff/reports?" + query).status_code == 200


def test_a_cursor_reads_back_what_it_wrote():
    cursor = Cursor(2, BASE + timedelta(microseconds=7), 42)
    assert Cursor.parse(cursor.token) == cursor


def test_past_the_bound_the_count_says_more_than(client, login_as):
    seed_reports(COUNT_BOUND + 2, "uk")
    login_as("student_services", "uk")
    html = client.get("/staff/reports?lang=en").get_data(as_text=True)
    assert "More than 1,000 reports" in html
    html = client.get("/staff/reports?lang=fr").get_data(as_text=True)
    assert "Plus de 1\u202f000 signalements" in html


def _pages_queries(client, count_queries) -> list[int]:
    """Queries for the first page, the next one, the last one and the one before it, each
    made afresh (not a page kept from before: hsm/keep.py)."""
    first = client.get("/staff/reports").get_data(as_text=True)
    counts = []
    for href in (None, _link(first, "next"), "/staff/reports?status=open&last=1"):
        INBOX_PAGES.clear()
        with count_queries() as counter:
            response = client.get(href or "/staff/reports")
        assert response.status_code == 200
        counts.append(counter.count)
    last = client.get("/staff/reports?status=open&last=1").get_data(as_text=True)
    INBOX_PAGES.clear()
    with count_queries() as counter:
        assert client.get(_link(last, "prev")).status_code == 200
    counts.append(counter.count)
    return counts


WORDS = {"first": "First page", "prev": "Previous page", "next": "Next page",
         "last": "Last page"}


def _link(html: str, which: str) -> str:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{WORDS[which]}</a>', html)
    assert found, which
    return found.group(1).replace("&amp;", "&")


def test_queries_per_page_are_the_same_on_every_page_and_at_every_size(
    client, login_as, count_queries
):
    login_as("student_services", "uk")
    caseworker = make_user(("student_services", "uk"))
    seed_reports(3 * PAGE_SIZE, "uk")
    db.session.execute(sa.update(Report).values(caseworker_id=caseworker.id))
    db.session.commit()
    client.get("/staff/reports")
    small = _pages_queries(client, count_queries)
    seed_reports(12 * PAGE_SIZE, "uk")
    db.session.execute(sa.update(Report).values(caseworker_id=caseworker.id))
    db.session.commit()
    large = _pages_queries(client, count_queries)
    assert small == large and len(set(small)) == 1, (small, large)


def test_pages_link_first_previous_next_and_last_without_javascript(client, login_as):
    seed_reports(3 * PAGE_SIZE, "uk")
    login_as("student_services", "uk")
    first = client.get("/staff/reports?centre=uk").get_data(as_text=True)
    assert "First page" not in first and "Previous page" not in first
    second = client.get(_link(first, "next")).get_data(as_text=True)
    assert "centre=uk" in _link(first, "next")
    for which in ("first", "prev", "next", "last"):
        assert _link(second, which)
    last = client.get(_link(second, "last")).get_data(as_text=True)
    assert "Next page" not in last and "Last page" not in last
    assert len(REF.findall(last)) == PAGE_SIZE
    back = client.get(_link(last, "first")).get_data(as_text=True)
    assert REF.findall(back) == REF.findall(first)
    # The three pages hold every report once.
    seen = REF.findall(first) + REF.findall(second) + REF.findall(last)
    assert len(seen) == len(set(seen)) == 3 * PAGE_SIZE


def test_the_list_reads_no_encrypted_column(client, login_as, count_queries):
    seed_reports(5, "uk")
    login_as("student_services", "uk")
    client.get("/staff/reports")
    INBOX_PAGES.clear()  # the page made afresh, not kept
    with count_queries() as counter:
        assert client.get("/staff/reports").status_code == 200
    selects = [s for s in counter.statements if "FROM report" in s and "report.reference" in s]
    assert selects
    for column in ("narrative", "first_name", "last_name", "contact_detail", "student_number",
                   "date_of_birth", "safe_times", "when_detail", "where_detail"):
        assert all(f"report.{column}" not in s for s in selects), column


def _follow(page, name, url_holds, gone):
    """Click a pager link and wait until the page it leads to is the one shown.

    Without JavaScript the old document is unloaded before the new one is parsed, so a link
    disappearing proves nothing on its own: wait for the new address and its load event
    first. With htmx the address is pushed around the swap, so wait for the swap too.
    """
    page.get_by_role("link", name=name).click()
    page.wait_for_url(url_holds)
    page.wait_for_load_state()
    page.get_by_role("link", name=gone).wait_for(state="detached")


@pytest.mark.parametrize("js", [True, False])
def test_paging_in_a_real_browser_with_and_without_javascript(browser_login, live_server, js):
    seed_reports(3 * PAGE_SIZE, "uk")  # three pages: the last page is the last 25 reports
    page = browser_login("student_services", "uk", js=js)
    page.goto(f"{live_server.url}/staff/reports?lang=en")
    first = REF.findall(page.content())
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(lambda url: "after=" in url)  # htmx pushed it, or the browser went there
    page.wait_for_load_state()
    page.get_by_role("link", name="First page").wait_for()
    second = REF.findall(page.content())
    _follow(page, "Last page", lambda url: "last=1" in url, gone="Last page")
    last = REF.findall(page.content())
    assert len(first) == len(second) == len(last) == PAGE_SIZE
    assert not set(first) & set(second) and not set(second) & set(last)
    page.go_back()
    page.get_by_role("link", name="Last page").wait_for()
    _follow(page, "First page", lambda url: "after=" not in url and "last=" not in url,
            gone="First page")
    assert REF.findall(page.content()) == first


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_a_middle_page_of_the_inbox_passes_axe(browser_login, live_server, axe, lang):
    seed_reports(2 * PAGE_SIZE + 5, "uk")
    page = browser_login("student_services", "uk")
    page.goto(f"{live_server.url}/staff/reports?lang={lang}")
    page.locator("#report-list nav.pager a[rel=next]").click()
    page.locator("#report-list nav.pager a[rel=prev]").wait_for()
    axe(page)
