"""Every id in a route is bounded, and absolute links come from HSM_BASE_URL alone."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from hsm import audit
from hsm.accounts.sessions import new_session_payload
from hsm.routing import MAX_ID, external_url
from tests.factories import make_user

HUGE = ("99999999999999999999", str(MAX_ID + 1), "9223372036854775808")


def _id_routes(app):
    for rule in app.url_map.iter_rules():
        ids = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]  # noqa: SLF001
        if ids:
            yield rule, ids


def _signed_in(app, *roles):
    client = app.test_client()
    payload = new_session_payload(make_user(*roles))
    audit.db.session.commit()
    with client.session_transaction() as session:
        session.update(payload)
    return client


def test_there_are_id_routes_to_check(app):
    rules = {rule.endpoint for rule, _ids in _id_routes(app)}
    assert {"reports.detail", "safecontacts.photo"} <= rules


@pytest.mark.parametrize("roles", [(), (("safeguarding_director", None), ("edi_officer", None)),
                                   (("admin", None),)])
def test_a_huge_id_is_not_found_never_an_error(app, roles):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        client = _signed_in(app, *roles) if roles else app.test_client()
        for rule, ids in _id_routes(app):
            for huge in HUGE:
                path = rule.rule
                for name in ids:
                    path = path.replace(f"<int:{name}>", huge)
                path = path.replace("<centre>", "uk")
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = client.open(path, method=method)
                    assert response.status_code == 404, (method, path, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_the_largest_id_still_reaches_the_view(client):
    assert client.get(f"/safe-contacts/photos/{MAX_ID}").status_code == 404  # no such photo


def test_links_are_built_from_the_base_url_without_a_request(app):
    with app.app_context():
        old = app.config["HSM_BASE_URL"]
        app.config["HSM_BASE_URL"] = "https://hsm.example.org/"
        try:
            assert external_url("reports.detail", report_id=7) == (
                "https://hsm.example.org/staff/reports/7")
        finally:
            app.config["HSM_BASE_URL"] = old


def test_links_ignore_the_requests_host(app):
    with app.test_request_context("/", base_url="http://evil.example.net"):
        assert external_url("reports.follow_up").startswith(app.config["HSM_BASE_URL"].rstrip("/"))
