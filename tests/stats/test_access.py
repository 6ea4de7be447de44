"""The executive sees the statistics and nothing else: every report, case, letter and Safe
Contact route answers 403 or 404, with real objects at a centre behind the ids."""

from __future__ import annotations

import pytest

from hsm.security import ROLE_PERMISSIONS, Permission, Role, access_of
from tests.core.test_route_walk import SAMPLE_ARGS, _client_for, _object_ids, _routes

AREAS = ("reports.", "cases.", "letters.", "safecontacts.")


def _url(app, rule, ids) -> str:
    """The route with the real objects' ids, and samples for everything else."""
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.lower()  # noqa: SLF001
        if name in ids:
            values[name] = ids[name]
        elif name == "centre":
            values[name] = SAMPLE_ARGS["centre"]
        elif "integer" in converter:
            values[name] = SAMPLE_ARGS["int"]
        else:
            values[name] = "note" if name == "name" else SAMPLE_ARGS["default"]
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def test_the_executive_holds_statistics_only():
    assert ROLE_PERMISSIONS[Role.EXECUTIVE] == {Permission.OWN_ACCOUNT, Permission.VIEW_STATISTICS}


@pytest.mark.usefixtures("no_csrf")
def test_every_report_case_and_safe_contact_route_refuses_the_executive(app):
    ids = _object_ids("uk")
    client = _client_for(app, Role.EXECUTIVE)
    walked = 0
    for rule, method in _routes(app):
        if not rule.endpoint.startswith(AREAS):
            continue
        if access_of(app.view_functions[rule.endpoint]).is_public:
            continue  # the students' own pages (report form, directory) are for everyone
        response = client.open(_url(app, rule, ids), method=method, data={})
        assert response.status_code in (403, 404), (method, rule.rule, response.status_code)
        walked += 1
    assert walked > 30
    assert client.get("/staff/statistics").status_code == 200
