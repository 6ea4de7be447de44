"""Who sees which report: the rule in Python (``sees``) and in SQL (``clause``) agree."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hsm.extensions import db
from hsm.reports.models import Report
from hsm.reports.queries import Scopes

CENTRES = ("uk", "amsterdam", "ireland", "paris")
# None: every centre; otherwise the centres the actor holds the permission at.
SCOPE = st.one_of(st.none(), st.frozensets(st.sampled_from(CENTRES)))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=SCOPE, staff_respondent=SCOPE)
def test_sees_and_clause_agree_on_every_report(make_report, reports, staff_respondent):
    if db.session.scalar(sa.select(sa.func.count(Report.id))) == 0:
        # Every kind of report once: each centre, about a student and about staff.
        for centre in CENTRES:
            for respondent in ("student", "staff"):
                make_report(centre, respondent=respondent)
    scopes = Scopes(reports=reports, staff_respondent=staff_respondent)
    everything = list(db.session.scalars(sa.select(Report)))
    in_python = {r.id for r in everything if scopes.sees(r)}
    in_sql = set(db.session.scalars(sa.select(Report.id).where(scopes.clause())))
    assert in_python == in_sql
    if in_python:
        assert scopes.any

