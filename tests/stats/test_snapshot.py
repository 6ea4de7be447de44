"""Building and publishing snapshots: exact counts, bounded queries, audit, immutability."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from hsm import audit, jobs
from hsm.cases.models import Case
from hsm.extensions import db
from hsm.reports.models import Report
from hsm.stats import operations, queries
from hsm.stats import snapshot as plan
from hsm.stats.models import SnapshotFrozen, StatisticsSnapshot
from tests.factories import make_user

NOW = datetime(2025, 12, 3, 9, tzinfo=UTC)


def shown(figures, figure, period, area, item):
    state, value = figures["figures"][figure][period][area][item]
    return value if state == "shown" else state


def test_periods_are_the_year_to_date_its_terms_and_months():
    periods = plan.periods_through(date(2026, 1, 1))
    assert [p.key for p in periods] == ["year", "autumn", "spring", "2025-09", "2025-10",
                                        "2025-11", "2025-12", "2026-01"]
    assert periods[0].months == ("2025-09", "2025-10", "2025-11", "2025-12", "2026-01")
    assert [p.months for p in periods if p.key == "spring"] == [("2026-01",)]
    assert plan.is_set_date(date(2025, 12, 1)) and not plan.is_set_date(date(2025, 11, 1))


def test_the_raw_counts_of_known_data(known, count_queries):
    with count_queries() as counter:
        counts = queries.counts(known, operations._working_days())
    assert counter.count == queries.COUNT_QUERIES
    flows = counts.flows
    assert flows[("totals", "uk", "2025-10", "reports")] == 10
    assert flows[("identity", "uk", "2025-10", "anonymous")] == 4
    assert flows[("anonymity_reason", "uk", "2025-10", "retaliation")] == 4
    assert flows[("about", "uk", "2025-10", "someone_else")] == 2
    assert flows[("when", "uk", "2025-10", "historic")] == 1
    assert flows[("category", "uk", "2025-10", "harassment")] == 10
    assert flows[("category", "uk", "2025-10", "bullying")] == 5
    assert flows[("respondent", "paris", "2025-09", "staff")] == 6
    assert flows[("channel", "uk", "2025-10", "phone")] == 6
    assert flows[("stage", "uk", "2025-10", "support")] == 6
    assert flows[("outcome", "paris", "2025-10", "dismissed_with_support")] == 1
    # Nothing from the year before or from after the snapshot's month.
    assert flows[("totals", "uk", "2025-08", "reports")] == 0
    assert not [k for k in flows if k[1] == "amsterdam" and flows[k]]
    assert counts.measures == {("uk", "no_contact", "2025-09", "2025-10"): 1,
                               ("uk", "no_contact", "2025-09", None): 5}
    assert counts.acknowledgements == {("uk", "2025-10", 2): 10}
    assert counts.deadlines == {("uk", "2025-10", "completion_letter", True): 5,
                                ("uk", "2025-10", "completion_letter", False): 1}


def test_a_published_snapshot_has_the_exact_suppressed_figures(known):
    director = make_user("safeguarding_director")
    snapshot = operations.publish(director, known, now=NOW)
    db.session.commit()
    f = snapshot.figures
    assert f["through"] == "2025-11" and f["academic_year"] == 2025
    assert shown(f, "totals", "year", "uk", "reports") == 10
    assert shown(f, "totals", "year", "paris", "reports") == 6
    assert shown(f, "totals", "year", "group", "reports") == 16
    assert shown(f, "totals", "year", "amsterdam", "reports") == 0
    assert shown(f, "totals", "2025-09", "paris", "reports") == 6
    assert shown(f, "where", "year", "uk", "on_campus") == 10
    assert shown(f, "respondent", "year", "paris", "staff") == 6
    assert shown(f, "channel", "year", "uk", "phone") == 6
    # 7 cases in the group, 1 of them closed (at paris): showing uk's 6 in support beside
    # the group's 7 would give that one away, so the 6 are hidden too (the smallest cells).
    assert shown(f, "totals", "autumn", "group", "cases") == 7
    assert shown(f, "stage", "autumn", "group", "closed") == "fewer"
    assert shown(f, "stage", "autumn", "group", "support") == "hidden"
    assert shown(f, "stage", "autumn", "uk", "support") == "hidden"
    assert shown(f, "category", "2025-10", "uk", "harassment") == 10
    assert shown(f, "category", "2025-10", "uk", "bullying") == 5
    # 4 anonymous reports: "fewer than 5", and the named ones hidden with them (10 - 6 = 4).
    assert shown(f, "identity", "year", "uk", "anonymous") == "fewer"
    assert shown(f, "identity", "year", "uk", "named") == "hidden"
    assert shown(f, "anonymity_reason", "year", "uk", "retaliation") == "fewer"
    # One dismissed case: fewer than 5, never 1.
    assert shown(f, "outcome", "year", "paris", "dismissed_with_support") == "fewer"
    # Measures in force at the end of each period (a stock): 6 in September, 5 since.
    assert shown(f, "measure", "2025-09", "uk", "no_contact") == 6
    assert shown(f, "measure", "year", "uk", "no_contact") == 5
    service = f["service"]["year"]["uk"]
    assert service["ack_median"] == 2.0 and service["ack_target"] == 2
    assert service["met"]["completion_letter"] == 83.3
    assert service["met"]["review_response"] is None  # none due: not shown
    assert f["service"]["year"]["paris"]["ack_median"] is None  # none acknowledged
    # No count from 1 to 4 is stored anywhere in the snapshot.
    stored = [cell for fig in f["figures"].values() for per in fig.values()
              for area in per.values() for cell in area.values()]
    assert not [c for c in stored if c[1] is not None and 0 < c[1] < 5]


def test_publishing_is_audited_with_its_actor(known):
    director = make_user("safeguarding_director")
    snapshot = operations.publish(director, known, now=NOW)
    db.session.commit()
    entry = db.session.scalars(sa.select(audit.AuditEntry).where(
        audit.AuditEntry.action == "stats.snapshot_published")).one()
    assert entry.actor_id == director.id and entry.target_id == str(snapshot.id)
    assert json.loads(entry.detail) == {"through": "2025-11", "trigger": "director"}


def test_a_snapshot_never_changes(known):
    snapshot = operations.publish(None, known, now=NOW)
    db.session.commit()
    snapshot.figures = {"schema": 1}
    with pytest.raises(SnapshotFrozen):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(StatisticsSnapshot, snapshot.id))
    with pytest.raises(SnapshotFrozen):
        db.session.flush()
    db.session.rollback()


def test_the_same_month_or_an_unfinished_one_is_refused(known):
    operations.publish(None, known, now=NOW)
    db.session.commit()
    with pytest.raises(operations.NotPublished):
        operations.publish(None, known, now=NOW)
    with pytest.raises(operations.NotPublished):
        operations.publish(None, date(2025, 10, 1), now=NOW)
    with pytest.raises(operations.NotPublished):
        operations.publish(None, date(2025, 12, 1), now=NOW)  # December is not over


def test_a_snapshot_survives_the_purge_of_what_it_counts(known):
    snapshot = operations.publish(None, known, now=NOW)
    db.session.commit()
    before = dict(snapshot.figures)
    db.session.execute(sa.delete(Case))
    db.session.execute(sa.delete(Report))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(StatisticsSnapshot, snapshot.id).figures == before


def test_the_schedule_publishes_at_the_end_of_each_term_once(known):
    assert [o.summary for o in jobs.run(["statistics"], now=NOW)] == [
        "no statistics snapshot due"]  # November is not the end of a term
    january = datetime(2026, 1, 2, 6, tzinfo=UTC)
    outcome = jobs.run(["statistics"], now=january)[0]
    assert outcome.summary == "statistics snapshot published through 2025-12"
    assert jobs.run(["statistics"], now=january)[0].summary == "no statistics snapshot due"
    snapshot = queries.latest()
    assert snapshot.trigger == "schedule" and snapshot.published_by_id is None
    assert shown(snapshot.figures, "totals", "year", "group", "reports") == 19


def test_building_runs_a_bounded_number_of_queries_at_any_size(known, count_queries):
    with count_queries() as small:
        operations.build(known)
    from hsm.stats import demo

    demo.history(known, reports=400, cases=200, centres=["amsterdam", "ireland", "paris", "uk"])
    db.session.commit()
    with count_queries() as large:
        operations.build(known)
    assert small.count == large.count


# --- the whole snapshot, as published together ----------------------------------------------


def _leaks(cells, sums) -> set:
    """Hidden counts pinned down by the sums, by a null-space test (numpy, independent of
    ``disclosure``): a hidden count is determined exactly when every solution of the
    homogeneous system leaves it at 0, i.e. its row of the null-space basis is zero."""
    import numpy as np

    hidden = sorted((k for k, c in cells.items() if not c.shown), key=repr)
    index = {k: i for i, k in enumerate(hidden)}
    rows = []
    for s in sums:
        row = np.zeros(len(hidden))
        for k in s.parts:
            if k in index:
                row[index[k]] += 1
        if s.total in index:
            row[index[s.total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return set(hidden)  # a hidden count in no sum is not pinned, but then nothing hides it
    matrix = np.array(rows)
    _u, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:].T  # columns span the null space
    return {k for k, i in index.items() if np.abs(null[i]).max(initial=0) < 1e-9}


@settings(max_examples=8)
@given(st.data())
def test_a_whole_snapshot_of_random_counts_leaks_nothing(data):
    from hsm.stats import disclosure

    centres = ["a", "b"]
    through = date(2025, 11, 1)
    periods = plan.periods_through(through)
    counts = plan.Counts()
    for figure in plan.FIGURES:
        if figure.stock:
            continue
        for centre in centres:
            for month in periods[0].months:
                for item in figure.items:
                    n = data.draw(st.sampled_from((0, 0, 1, 2, 3, 5, 8, 13)))
                    counts.flows[(figure.key, centre, month, item)] = n
    # Totals consistent with the rows they add up to.
    for centre in centres:
        for month in periods[0].months:
            def total(figure):
                return sum(counts.flows[(figure, centre, month, i)]
                           for i in plan.FIGURE_BY_KEY[figure].items)
            counts.flows[("identity", centre, month, "anonymous")] = total("anonymity_reason")
            counts.flows[("totals", centre, month, "reports")] = total("identity")
            for figure in ("about", "where", "respondent", "when"):
                spread = counts.flows[("totals", centre, month, "reports")]
                items = plan.FIGURE_BY_KEY[figure].items
                for i, item in enumerate(items):
                    counts.flows[(figure, centre, month, item)] = spread if i == 0 else 0
            counts.flows[("totals", centre, month, "disclosures")] = total("channel")
            counts.flows[("totals", centre, month, "cases")] = total("stage")
    values = plan._raw_values(counts, centres, periods)
    sums = plan.sums(centres, periods)
    for s in sums:
        assert values[s.total] == sum(values[p] for p in s.parts), s
    cells = disclosure.protect(values, sums)
    assert not [k for k, c in cells.items() if c.shown and 0 < values[k] < 5]
    pinned = _leaks(cells, sums)
    in_a_sum = {k for s in sums for k in s.members}
    assert not (pinned & in_a_sum)
