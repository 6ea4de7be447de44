"""The access policy, in one place.

Roles come from the policy (see shared/domain/WORKFLOW.md). Each role assignment is scoped to
one centre or to all centres ("central"). ``ROLE_PERMISSIONS`` is the one table that maps roles
to permissions; views declare what they need with ``@require`` or ``@public``, and a
``before_request`` hook refuses every view that declares neither.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from hsm import audit
from hsm.extensions import db
from hsm.htmx import make_response

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_hsm_access"
CENTRAL = "*"


class Role(enum.StrEnum):
    STUDENT_SERVICES = "student_services"
    CENTRE_DIRECTOR = "centre_director"
    SAFEGUARDING_DIRECTOR = "safeguarding_director"
    CASE_REVIEW_MEMBER = "case_review_member"
    INVESTIGATING_OFFICER = "investigating_officer"
    REVIEWING_OFFICER = "reviewing_officer"
    PEOPLE_TEAM = "people_team"
    EDI_OFFICER = "edi_officer"
    SAFE_CONTACT = "safe_contact"
    EXECUTIVE = "executive"
    ADMIN = "admin"


# Which roles are held per centre; the others are central (they cover every centre).
CENTRE_SCOPED_ROLES = frozenset({Role.STUDENT_SERVICES, Role.CENTRE_DIRECTOR})


class Permission(enum.StrEnum):
    # Any signed-in staff member: their own account, MFA, password, "My work".
    OWN_ACCOUNT = "own_account"
    # Administration of people, never of content.
    MANAGE_USERS = "manage_users"
    # The second person on a grant of a role that reads content (see CONTENT_PERMISSIONS).
    APPROVE_GRANTS = "approve_grants"
    VIEW_AUDIT_LOG = "view_audit_log"
    # Report a Concern: the Student Services inbox.
    VIEW_REPORTS = "view_reports"
    HANDLE_REPORTS = "handle_reports"
    VIEW_STAFF_RESPONDENT_REPORTS = "view_staff_respondent_reports"
    # The case procedure.
    VIEW_CASES = "view_cases"
    MANAGE_CASES = "manage_cases"
    REVIEW_CASES = "review_cases"
    INVESTIGATE_CASES = "investigate_cases"
    DECIDE_REVIEWS = "decide_reviews"
    VIEW_STAFF_RESPONDENT_CASES = "view_staff_respondent_cases"
    ACKNOWLEDGE_COMPLAINTS = "acknowledge_complaints"
    DECIDE_NEXT_STEPS = "decide_next_steps"
    CONVENE_CASE_REVIEW = "convene_case_review"
    SET_INTERIM_MEASURES = "set_interim_measures"
    MANAGE_STAFF_MEASURES = "manage_staff_measures"
    REVIEW_MEASURES = "review_measures"
    # The Safe Contact scheme.
    MANAGE_SAFE_CONTACTS = "manage_safe_contacts"
    VIEW_DIVERSITY_SUMMARY = "view_diversity_summary"
    EDIT_OWN_BIOGRAPHY = "edit_own_biography"
    # Anonymised statistics.
    VIEW_STATISTICS = "view_statistics"
    PUBLISH_STATISTICS = "publish_statistics"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STUDENT_SERVICES: frozenset(
        {P.OWN_ACCOUNT, P.VIEW_REPORTS, P.HANDLE_REPORTS, P.VIEW_CASES, P.MANAGE_CASES,
         P.REVIEW_MEASURES}
    ),
    Role.CENTRE_DIRECTOR: frozenset(
        {P.OWN_ACCOUNT, P.VIEW_REPORTS, P.VIEW_CASES, P.ACKNOWLEDGE_COMPLAINTS,
         P.DECIDE_NEXT_STEPS}
    ),
    Role.SAFEGUARDING_DIRECTOR: frozenset(
        {
            P.OWN_ACCOUNT,
            P.VIEW_REPORTS,
            P.HANDLE_REPORTS,
            P.VIEW_STAFF_RESPONDENT_REPORTS,
            P.VIEW_CASES,
            P.MANAGE_CASES,
            # The case procedure, day to day (A 4.4): every move of a case.
            P.ACKNOWLEDGE_COMPLAINTS,
            P.DECIDE_NEXT_STEPS,
            P.CONVENE_CASE_REVIEW,
            P.SET_INTERIM_MEASURES,
            P.MANAGE_STAFF_MEASURES,
            P.REVIEW_MEASURES,
            P.INVESTIGATE_CASES,
            P.DECIDE_REVIEWS,
            P.VIEW_AUDIT_LOG,
            P.VIEW_STATISTICS,
            P.APPROVE_GRANTS,
            # Publishing a statistics snapshot (the executive only reads them).
            P.PUBLISH_STATISTICS,
        }
    ),
    # Case review members and officers hold these only on the cases they are named on
    # (hsm.cases.queries: the case scope and granted_for).
    Role.CASE_REVIEW_MEMBER: frozenset({P.OWN_ACCOUNT, P.REVIEW_CASES, P.REVIEW_MEASURES}),
    Role.INVESTIGATING_OFFICER: frozenset({P.OWN_ACCOUNT, P.INVESTIGATE_CASES}),
    Role.REVIEWING_OFFICER: frozenset({P.OWN_ACCOUNT, P.DECIDE_REVIEWS}),
    Role.PEOPLE_TEAM: frozenset(
        {P.OWN_ACCOUNT, P.VIEW_STAFF_RESPONDENT_REPORTS, P.VIEW_STAFF_RESPONDENT_CASES,
         P.MANAGE_STAFF_MEASURES}
    ),
    Role.EDI_OFFICER: frozenset({P.OWN_ACCOUNT, P.MANAGE_SAFE_CONTACTS, P.VIEW_DIVERSITY_SUMMARY}),
    Role.SAFE_CONTACT: frozenset({P.OWN_ACCOUNT, P.EDIT_OWN_BIOGRAPHY}),
    Role.EXECUTIVE: frozenset({P.OWN_ACCOUNT, P.VIEW_STATISTICS}),
    # The admin manages people and roles and reads no reports, cases or equality data.
    Role.ADMIN: frozenset({P.OWN_ACCOUNT, P.MANAGE_USERS}),
}


# What opens nothing anybody reported, recorded or declared: one's own account, managing
# people, one's own Safe Contact biography, and the anonymised statistics. Every other
# permission (and every permission added later, unless it is listed here) reads reports,
# cases, the audit log or equality data, or decides who does (APPROVE_GRANTS).
NO_CONTENT_PERMISSIONS = frozenset(
    {P.OWN_ACCOUNT, P.MANAGE_USERS, P.EDIT_OWN_BIOGRAPHY, P.VIEW_STATISTICS}
)
CONTENT_PERMISSIONS = frozenset(Permission) - NO_CONTENT_PERMISSIONS


def role_reads_content(role: Role | str) -> bool:
    """Whether ``role`` opens content: then no one person alone can grant it (a second person
    approves), and an administrator's account never holds it."""
    return bool(ROLE_PERMISSIONS[Role(role)] & CONTENT_PERMISSIONS)


def role_is_centre_scoped(role: Role | str) -> bool:
    return Role(role) in CENTRE_SCOPED_ROLES


# What every signed-in staff account holds, with or without a role: its own account (password,
# two-step sign-in, and its roles, including one still waiting for a second person's approval).
EVERY_ACCOUNT_PERMISSIONS = frozenset({P.OWN_ACCOUNT})


def scopes_for(user: Any, permission: Permission) -> frozenset[str]:
    """The centres (slugs) where ``user`` holds ``permission``; ``CENTRAL`` means all."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if permission in EVERY_ACCOUNT_PERMISSIONS:
        return frozenset({CENTRAL})
    scopes = set()
    for role, centre in user.role_scopes():
        if permission in ROLE_PERMISSIONS.get(Role(role), ()):
            scopes.add(centre or CENTRAL)
    return frozenset(scopes)


def can(permission: Permission, centre: str | None = None, user: Any = None) -> bool:
    """Whether the user (default: the current user) holds ``permission``.

    With ``centre``, the permission must cover that centre (a central assignment covers all).
    """
    user = current_user if user is None else user
    scopes = scopes_for(user, permission)
    if centre is None:
        return bool(scopes)
    return CENTRAL in scopes or centre in scopes


def centre_filter(permission: Permission, user: Any) -> frozenset[str] | None:
    """For queries: ``None`` means every centre, otherwise the set of centre slugs allowed.

    ``user`` is the explicit actor: below the view nothing reads the request's user.
    """
    scopes = scopes_for(user, permission)
    return None if CENTRAL in scopes else scopes


@dataclass(frozen=True)
class AccessPolicy:
    """What a view declared: public, or the permissions it needs (all of them, or any one)."""

    permissions: tuple[Permission, ...] = ()
    any_of: bool = False

    @property
    def is_public(self) -> bool:
        return not self.permissions

    def allows(self, granted: Iterable[Permission]) -> bool:
        """Whether a holder of ``granted`` passes the role check (objects are checked later)."""
        granted = set(granted)
        if self.is_public:
            return True
        test = any if self.any_of else all
        return test(p in granted for p in self.permissions)


PUBLIC = AccessPolicy()


def public(view: F) -> F:
    """Mark a view as open to everyone, signed in or not."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def _guard(policy: AccessPolicy) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_required_response()
            test = any if policy.any_of else all
            if not test(can(p) for p in policy.permissions):
                deny("missing_permission")
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, policy)
        return wrapper  # type: ignore[return-value]

    return decorate


def require(*permissions: Permission) -> Callable[[F], F]:
    """Mark a view as needing a signed-in user who holds every one of ``permissions``."""
    if not permissions:
        raise ValueError("require() needs at least one permission; use @public for open views")
    return _guard(AccessPolicy(tuple(permissions)))


def require_any(*permissions: Permission) -> Callable[[F], F]:
    """Mark a view as needing a signed-in user who holds at least one of ``permissions``.

    The view then narrows what the user sees with ``centre_filter`` or its object loader.
    """
    if len(permissions) < 2:
        raise ValueError("require_any() takes two or more permissions; use require()")
    return _guard(AccessPolicy(tuple(permissions), any_of=True))


def access_of(view: Callable) -> AccessPolicy | None:
    """The policy a view declared, or None if it declared none (it will never be served)."""
    return getattr(view, ACCESS_ATTR, None)


def login_required_response():
    """Send an anonymous visitor to the login page (htmx gets ``HX-Redirect``).

    A link opened from another site (an email read in webmail) arrives without the
    SameSite=Strict session cookie; such a visitor may well be signed in, so they get a page
    that reloads the same address from this site first, and the cookie comes back.
    """
    htmx_request = bool(request.htmx)
    if (
        request.method == "GET"
        and not htmx_request
        and request.headers.get("Sec-Fetch-Site") == "cross-site"
    ):
        target = request.full_path.rstrip("?")
        return current_app.response_class(render_template("continue.html", target=target))
    login_url = url_for("accounts.login")
    if request.method == "GET" and not htmx_request:
        session["next_path"] = request.full_path.rstrip("?")
    if htmx_request:
        return make_response("", 401, redirect=login_url)
    return redirect(login_url)


def deny(reason: str, status: int = 403):
    """Refuse the request, and record the refusal in the audit log.

    Whatever the view changed before refusing is rolled back, so only the refusal is written.
    """
    db.session.rollback()
    audit.record(
        "access.denied",
        # The access layer sits at the request's edge: the refused visitor is the actor.
        actor=current_user if current_user.is_authenticated else None,
        target_type="route",
        target_id=request.endpoint or request.path,
        detail={"reason": reason, "method": request.method},
        commit=True,
    )
    abort(status)


def _enforce_declared_policy():
    """Deny by default: a view that declares no policy is never served."""
    if request.endpoint is None:
        return None  # routing failed; Flask answers 404/405 itself
    view = current_app.view_functions.get(request.endpoint)
    if view is None or access_of(view) is None:
        current_app.logger.error("route %s declares no access policy", request.endpoint)
        abort(403)
    return None


def undeclared_routes(app: Flask) -> list[str]:
    """Every endpoint that declares neither @public nor @require (should be empty)."""
    return sorted(
        endpoint for endpoint, view in app.view_functions.items() if access_of(view) is None
    )


def init_app(app: Flask) -> None:
    # Flask's own static view serves only files from static/.
    public(app.view_functions["static"])
    app.before_request(_enforce_declared_policy)

    @app.context_processor
    def access_context():
        return {"can": can, "Permission": Permission, "Role": Role}
