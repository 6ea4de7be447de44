"""Deny by default: every route declares its access policy."""

from flask import Blueprint

from hsm.security import (
    CENTRAL,
    CONTENT_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    can,
    role_reads_content,
    scopes_for,
    undeclared_routes,
)
from tests.factories import make_user


def test_every_route_declares_a_policy(app):
    assert undeclared_routes(app) == []


def test_an_undeclared_view_is_refused(make_app):
    other = make_app()
    extra = Blueprint("undeclared_for_test", __name__)

    @extra.get("/undeclared-for-test")
    def undeclared():
        return "should never be served"

    other.register_blueprint(extra)
    response = other.test_client().get("/undeclared-for-test")
    assert response.status_code == 403
    assert b"should never be served" not in response.data


def test_admin_cannot_read_content():
    admin = ROLE_PERMISSIONS[Role.ADMIN]
    for permission in (
        Permission.VIEW_REPORTS,
        Permission.HANDLE_REPORTS,
        Permission.VIEW_CASES,
        Permission.VIEW_DIVERSITY_SUMMARY,
        Permission.VIEW_AUDIT_LOG,
    ):
        assert permission not in admin
    # Nor anything else that reads content, nor approving who does (the second person).
    assert not admin & CONTENT_PERMISSIONS
    assert Permission.APPROVE_GRANTS not in admin


def test_only_the_safeguarding_director_approves_roles_that_read_content():
    approvers = {r for r, granted in ROLE_PERMISSIONS.items()
                 if Permission.APPROVE_GRANTS in granted}
    assert approvers == {Role.SAFEGUARDING_DIRECTOR}
    assert all(role_reads_content(r) for r in approvers)


def test_executive_sees_statistics_only():
    assert ROLE_PERMISSIONS[Role.EXECUTIVE] == {Permission.OWN_ACCOUNT, Permission.VIEW_STATISTICS}


def test_every_role_has_an_entry():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_centre_scoping():
    caseworker = make_user(("student_services", "amsterdam"), ("student_services", "paris"))
    director = make_user(("safeguarding_director", None))
    assert scopes_for(caseworker, Permission.VIEW_REPORTS) == {"amsterdam", "paris"}
    assert can(Permission.VIEW_REPORTS, "amsterdam", user=caseworker)
    assert not can(Permission.VIEW_REPORTS, "uk", user=caseworker)
    assert scopes_for(director, Permission.VIEW_REPORTS) == {CENTRAL}
    assert can(Permission.VIEW_REPORTS, "uk", user=director)


def test_inactive_users_hold_nothing():
    user = make_user(("student_services", "uk"), active=False)
    assert not can(Permission.VIEW_REPORTS, user=user)
