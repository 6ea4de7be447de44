"""The statistics pages for every role: reading, publishing, charts, exports, bad input."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hsm import audit
from hsm.extensions import db
from hsm.reports.models import Report
from hsm.stats import demo, operations, queries
from hsm.stats.models import StatisticsSnapshot
from tests.helpers import post

NOW = datetime(2025, 12, 3, 9, tzinfo=UTC)
PAGE = "/staff/statistics"


@pytest.fixture
def published(known):
    snapshot = operations.publish(None, known, now=NOW)
    db.session.commit()
    return snapshot


def _cell(html: str, label: str) -> str:
    """The number a table row shows, by the row's label (the first such row)."""
    match = re.search(re.escape(label) + r'</th><td class="num">([^<]*)</td>', html)
    assert match, label
    return match.group(1)


def test_before_any_snapshot_the_page_says_so(client, login_as):
    login_as("executive")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No statistics snapshot has been published yet" in html
    assert "Publish the snapshot" not in html


@pytest.mark.parametrize("role", ["executive", "safeguarding_director"])
def test_both_roles_read_the_published_figures(client, login_as, published, role):
    login_as(role)
    html = client.get(f"{PAGE}?period=year&area=uk").get_data(as_text=True)
    assert _cell(html, "Reports received") == "10"
    assert _cell(html, "Anonymous reports") == "fewer than 5"
    assert _cell(html, "Named reports") == "not shown"
    assert ("Publish the snapshot" in html) is (role == "safeguarding_director")
    # Each figure is a chart from our own origin beside its table.
    charts = re.findall(r'<img class="stats-chart" src="([^"]+)"', html)
    assert len(charts) == 14 and all(c.startswith("/staff/statistics/") for c in charts)


@pytest.mark.parametrize("role", ["student_services", "centre_director", "people_team",
                                  "edi_officer", "admin", "case_review_member"])
def test_other_roles_see_no_statistics(client, login_as, published, role):
    login_as(role, "uk" if role in ("student_services", "centre_director") else None)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/{published.id}/export.csv").status_code == 403
    assert client.get(f"{PAGE}/{published.id}/charts/totals.svg?period=year&area=group"
                      ).status_code == 403


def test_bad_choices_fall_back_and_never_fail(client, login_as, published):
    login_as("executive")
    for query in ("period=zzz&area=%00", "snapshot=99999999999999999999999", "snapshot=abc",
                  "area=" + "x" * 500, "period=2025-10&area=paris"):
        assert client.get(f"{PAGE}?{query}").status_code == 200, query
    html = client.get(f"{PAGE}?period=2025-09&area=paris").get_data(as_text=True)
    assert "September 2025" in html and _cell(html, "Reports received") == "6"


def test_the_director_publishes_with_the_form(client, login_as, known, monkeypatch):
    monkeypatch.setattr(operations, "last_complete_month", lambda now: known)
    director = login_as("safeguarding_director")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Publish the snapshot through November 2025" in page
    answer = post(client, f"{PAGE}/publish", {"through": "2025-11"}, token_from=PAGE)
    assert answer.status_code == 303
    snapshot = queries.latest()
    assert snapshot.published_by_id == director.id and snapshot.trigger == "director"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(audit.AuditEntry).where(
        audit.AuditEntry.action == "stats.snapshot_published",
        audit.AuditEntry.actor_id == director.id)) == 1
    # The same month again: refused, in words, and nothing changes.
    again = post(client, f"{PAGE}/publish", {"through": "2025-11"}, token_from=PAGE)
    assert again.status_code == 400
    assert "already published" in again.get_data(as_text=True)
    # A page opened before the month changed publishes nothing.
    stale = post(client, f"{PAGE}/publish", {"through": "2025-10"}, token_from=PAGE)
    assert stale.status_code == 400 and "has changed" in stale.get_data(as_text=True)
    # Without its token: the expired-page message, nothing published.
    expired = client.post(f"{PAGE}/publish", data={"through": "2025-11"})
    assert expired.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatisticsSnapshot)) == 1


def test_the_executive_cannot_publish(client, login_as, known):
    login_as("executive")
    answer = post(client, f"{PAGE}/publish", {"through": "2025-11"}, token_from=PAGE)
    assert answer.status_code == 403
    assert queries.latest() is None


def test_charts_are_csp_safe_svg(client, login_as, published):
    login_as("executive")
    for figure in ("totals", "identity", "sanction", "measure", "service"):
        answer = client.get(f"{PAGE}/{published.id}/charts/{figure}.svg?period=year&area=uk")
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
        svg = answer.get_data(as_text=True)
        assert "style" not in svg and "<script" not in svg and "http://matplotlib" not in svg
        assert answer.headers["Cache-Control"] == "no-store"  # like every staff response
    base = f"{PAGE}/{published.id}/charts"
    assert client.get(f"{base}/nothing.svg?period=year&area=uk").status_code == 404
    assert client.get(f"{base}/totals.svg?period=1999-01&area=uk").status_code == 404
    assert client.get(f"{base}/totals.svg?period=year").status_code == 404
    assert client.get(f"{PAGE}/99999999999999999999/charts/totals.svg").status_code == 404


def _csv(client, snapshot_id) -> list[list[str]]:
    body = client.get(f"{PAGE}/{snapshot_id}/export.csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_csv_carries_the_page_suppression(client, login_as, published):
    login_as("executive")
    html = client.get(f"{PAGE}?period=year&area=uk").get_data(as_text=True)
    rows = {(r[0], r[2], r[4], r[6]): r[8] for r in _csv(client, published.id) if len(r) == 9}
    assert rows[("year", "uk", "identity", "anonymous")] == _cell(html, "Anonymous reports")
    assert rows[("year", "uk", "identity", "named")] == _cell(html, "Named reports") == "not shown"
    assert rows[("year", "uk", "totals", "reports")] == "10"
    assert not [v for v in rows.values() if v.isdigit() and 0 < int(v) < 5]


def _xlsx_counts(body: bytes) -> list[str]:
    """The 'count' column of the first sheet, read from the XLSX's own XML."""
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        shared = re.findall(r"<t[^>]*>([^<]*)</t>", book.read("xl/sharedStrings.xml").decode())
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    values = []
    for cell in re.finditer(r'<c r="I(\d+)"( t="s")?[^>]*><v>([^<]*)</v></c>', sheet):
        values.append(shared[int(cell.group(3))] if cell.group(2) else cell.group(3))
    return values[1:]


def test_the_xlsx_carries_the_same_figures_as_the_csv(client, login_as, published):
    login_as("executive")
    answer = client.get(f"{PAGE}/{published.id}/export.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    counts = _xlsx_counts(answer.data)
    from_csv = [r[8] for r in _csv(client, published.id)[1:] if len(r) == 9]
    assert counts == from_csv
    entries = db.session.scalars(sa.select(audit.AuditEntry.action)).all()
    assert entries.count("stats.snapshot_exported") == 2


def test_nothing_after_the_snapshot_is_seen_until_the_next_one(client, login_as, published):
    login_as("executive")
    page_before = client.get(f"{PAGE}?period=year&area=group").get_data(as_text=True)
    csv_before = _csv(client, published.id)
    xlsx_before = _xlsx_counts(client.get(f"{PAGE}/{published.id}/export.xlsx").data)
    # Reports in December, and a late one dated inside the snapshot's own months.
    demo.insert(Report, [demo.report_row(500 + i, "uk", datetime(2025, 12, 2, tzinfo=UTC))
                         for i in range(20)]
                + [demo.report_row(600, "uk", datetime(2025, 10, 30, tzinfo=UTC))])
    db.session.commit()
    page_after = client.get(f"{PAGE}?period=year&area=group").get_data(as_text=True)
    assert _cell(page_after, "Reports received") == _cell(page_before, "Reports received")
    assert "December 2025" not in page_after
    assert _csv(client, published.id) == csv_before
    assert _xlsx_counts(client.get(f"{PAGE}/{published.id}/export.xlsx").data) == xlsx_before
    # The next snapshot shows them.
    operations.publish(None, date(2025, 12, 1), now=NOW + timedelta(days=40))
    db.session.commit()
    latest = client.get(f"{PAGE}?period=year&area=group").get_data(as_text=True)
    assert _cell(latest, "Reports received") == "40"  # 16 + 1 late + 3 + 20 in December


def test_the_page_costs_the_same_queries_at_any_size(client, login_as, known, count_queries):
    operations.publish(None, known, now=NOW)
    db.session.commit()
    login_as("executive")
    client.get(PAGE)
    with count_queries() as small:
        assert client.get(f"{PAGE}?period=year&area=group").status_code == 200
    demo.history(date(2025, 10, 1), reports=300, cases=150,
                 centres=["amsterdam", "ireland", "paris", "uk"])
    operations.publish(None, date(2025, 12, 1), now=NOW + timedelta(days=40))
    db.session.commit()
    with count_queries() as first:  # a new snapshot's page: read once, then kept
        assert client.get(f"{PAGE}?period=year&area=group").status_code == 200
    with count_queries() as large:
        assert client.get(f"{PAGE}?period=year&area=group").status_code == 200
    assert small.count == large.count
    # A new snapshot: the list read again, the snapshot read for its choices and its content.
    assert large.count <= 4 and first.count <= large.count + 3
