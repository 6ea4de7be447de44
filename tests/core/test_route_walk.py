"""Walk every route in app.url_map as every role, and as nobody.

A route open to a role must be declared so; anything else must never answer 2xx.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hsm import audit
from hsm.accounts.sessions import new_session_payload
from hsm.security import ROLE_PERMISSIONS, Role, access_of, role_is_centre_scoped
from tests.factories import make_user

SAMPLE_ARGS = {"centre": "uk", "int": 1, "default": "sample", "path": "sample", "uuid": "0" * 32}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _url(app, rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.lower()  # noqa: SLF001
        if name == "centre":
            values[name] = SAMPLE_ARGS["centre"]
        elif "integer" in converter:
            values[name] = SAMPLE_ARGS["int"]
        elif "uuid" in converter:
            values[name] = SAMPLE_ARGS["uuid"]
        else:
            values[name] = SAMPLE_ARGS["default"]
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & set(METHODS)):
            yield rule, method


def _client_for(app, role: Role | None):
    client = app.test_client()
    if role is None:
        return client
    centre = "uk" if role_is_centre_scoped(role) else None
    user = make_user((role.value, centre))
    payload = new_session_payload(user)
    audit.db.session.commit()
    with client.session_transaction() as session:
        session.update(payload)
    return client


@pytest.fixture
def no_csrf(app):
    """Access control is what is tested here; CSRF has its own tests."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["RATELIMIT_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["RATELIMIT_ENABLED"] = True


def test_the_walk_covers_the_app(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    assert {"centres.support", "site.healthz", "accounts.login"} <= endpoints


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_no_unexpected_2xx(app, no_csrf, role):
    client = _client_for(app, role)
    granted = ROLE_PERMISSIONS[role] if role else frozenset()
    unexpected = []
    for rule, method in _routes(app):
        declared = access_of(app.view_functions[rule.endpoint])
        assert declared is not None, f"{rule.endpoint} declares no access policy"
        if declared.is_public:
            continue
        allowed = declared.allows(granted)
        response = client.open(_url(app, rule), method=method, data={})
        if not allowed and 200 <= response.status_code < 300:
            unexpected.append(f"{method} {rule.rule} -> {response.status_code}")
        if not allowed:
            assert response.status_code in (302, 303, 401, 403, 404), (method, rule.rule)
    assert unexpected == []


def test_a_refusal_is_audited(app, no_csrf):
    client = _client_for(app, Role.EXECUTIVE)
    guarded = [
        (rule, method)
        for rule, method in _routes(app)
        if not access_of(app.view_functions[rule.endpoint]).allows(
            ROLE_PERMISSIONS[Role.EXECUTIVE]
        )
    ]
    assert guarded, "expected at least one route the executive may not open"
    rule, method = guarded[0]
    assert client.open(_url(app, rule), method=method).status_code == 403
    actions = audit.db.session.scalars(sa.select(audit.AuditEntry.action)).all()
    assert "access.denied" in actions


# --- the walk with real objects at two centres -------------------------------------------


def _object_ids(centre: str) -> dict[str, int]:
    """Real objects at ``centre``, by the route argument that names them."""
    from datetime import date

    from hsm.cases import operations as case_ops
    from hsm.reports.models import Report
    from tests.reports.seed import seed_reports

    seed_reports(1, centre)
    report = audit.db.session.scalars(
        sa.select(Report).where(Report.centre == centre).order_by(Report.id.desc())
    ).first()
    caseworker = make_user(("student_services", centre))
    case = case_ops.record_disclosure(caseworker, centre, case_ops.Disclosure(
        channel="phone", disclosure="Route-walk disclosure.", disclosed_on=date(2026, 11, 2),
        responding_party_type="student"))
    audit.db.session.commit()
    return {"report_id": report.id, "case_id": case.id}


def _object_routes(app, names):
    for rule, method in _routes(app):
        converters = rule._converters  # noqa: SLF001
        ints = [n for n in rule.arguments if "integer" in type(converters[n]).__name__.lower()]
        if ints and set(ints) <= set(names):
            yield rule, method


def _url_with(app, rule, ids):
    # A record made on a case is named by its action: a real one, so the scope is what refuses.
    other_args = {"centre": SAMPLE_ARGS["centre"], "name": "note"}
    values = {name: ids.get(name, other_args.get(name)) for name in rule.arguments}
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", sorted(r for r in Role if role_is_centre_scoped(r)),
                         ids=lambda r: r.value)
def test_objects_at_another_centre_are_never_served(app, no_csrf, role):
    own, other = _object_ids("uk"), _object_ids("amsterdam")
    client = _client_for(app, role)  # the role is held at uk
    granted = ROLE_PERMISSIONS[role]
    served_own = 0
    routes = list(_object_routes(app, other))
    assert routes, "expected routes that load a report by id"
    for rule, method in routes:
        response = client.open(_url_with(app, rule, other), method=method, data={})
        assert response.status_code in (403, 404), (role, method, rule.rule, response.status_code)
        if method == "GET" and access_of(app.view_functions[rule.endpoint]).allows(granted):
            mine = client.get(_url_with(app, rule, own))
            assert mine.status_code == 200, (role, rule.rule, mine.status_code)
            served_own += 1
    assert served_own, f"{role}: the walk never opened one of its own centre's objects"
