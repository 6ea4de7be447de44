"""The demo publishes a snapshot with real charts and some suppressed cells, once."""

from __future__ import annotations

import sqlalchemy as sa

from hsm.extensions import db
from hsm.stats import demo, queries
from hsm.stats.models import StatisticsSnapshot


def test_flask_hsm_demo_publishes_a_snapshot_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["hsm", "demo"]).exit_code == 0
    assert runner.invoke(args=["hsm", "demo"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatisticsSnapshot)) == 1
    data = queries.latest().figures
    cells = [cell for figure in data["figures"].values() for period in figure.values()
             for area in period.values() for cell in area.values()]
    states = {state for state, _value in cells}
    assert states == {"shown", "fewer", "hidden"}
    group_year = data["figures"]["totals"]["year"]["group"]["reports"]
    assert group_year[0] == "shown" and group_year[1] >= 600
    assert not demo.load()  # nothing more to publish this month
