"""The demo reports load, once, whatever the number of runs."""

import sqlalchemy as sa

from hsm.extensions import db
from hsm.reports import demo
from hsm.reports.models import Report


def test_demo_is_idempotent_and_quiet(capsys):
    demo.load()
    db.session.commit()
    demo.load()
    db.session.commit()
    reports = db.session.scalars(sa.select(Report).order_by(Report.reference)).all()
    assert [r.reference for r in reports] == [reference for reference, *_ in demo.DEMO_REPORTS]
    assert {r.centre for r in reports} == {"uk", "amsterdam", "paris", "ireland"}
    assert reports[1].immediate_danger and reports[2].staff_respondent and reports[3].under_18
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
