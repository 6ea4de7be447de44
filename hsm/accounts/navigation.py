"""The staff navigation: what each user's roles open, built from the one permission table."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from werkzeug.routing import BuildError

from hsm.i18n import _l
from hsm.security import Permission, can


@dataclass(frozen=True)
class NavItem:
    permission: Permission
    endpoint: str
    label: object
    description: object


# Order: daily work first, administration last. Endpoints of areas not installed are skipped.
NAV_ITEMS = (
    NavItem(Permission.VIEW_REPORTS, "reports.inbox", _l("Reports inbox"),
            _l("New and open reports for your centres.")),
    NavItem(Permission.VIEW_CASES, "cases.board", _l("Cases"),
            _l("The cases you are working on, and their deadlines.")),
    NavItem(Permission.REVIEW_CASES, "cases.reviews", _l("Case reviews"),
            _l("Cases where you sit on the case review team.")),
    NavItem(Permission.INVESTIGATE_CASES, "cases.investigations", _l("Investigations"),
            _l("The investigations assigned to you.")),
    NavItem(Permission.DECIDE_REVIEWS, "cases.appeals", _l("Reviews to decide"),
            _l("Requests for review assigned to you.")),
    NavItem(Permission.VIEW_STAFF_RESPONDENT_REPORTS, "reports.staff_respondent",
            _l("Staff matters"),
            _l("Reports where the responding party is a member of staff.")),
    NavItem(Permission.MANAGE_SAFE_CONTACTS, "safecontacts.board", _l("Safe Contact applications"),
            _l("Applications to the Safe Contact scheme, stage by stage.")),
    NavItem(Permission.EDIT_OWN_BIOGRAPHY, "safecontacts.my_biography",
            _l("My Safe Contact biography"),
            _l("What students read about you in the Safe Contact directory.")),
    NavItem(Permission.VIEW_STATISTICS, "stats.index", _l("Statistics"),
            _l("Anonymised figures across the centres.")),
    NavItem(Permission.MANAGE_USERS, "accounts.users", _l("Users and roles"),
            _l("Invite staff, give and remove roles, deactivate accounts.")),
    NavItem(Permission.VIEW_AUDIT_LOG, "accounts.audit_log", _l("Audit log"),
            _l("Who did what, and whether the log is intact.")),
    NavItem(Permission.OWN_ACCOUNT, "accounts.account", _l("My account"),
            _l("Your password, two-step sign-in and recovery codes.")),
)


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    url: str
    label: object
    description: object


def links_for(user) -> list[NavLink]:
    """The links ``user`` may follow, skipping areas that are not installed."""
    views = current_app.view_functions
    links = []
    for item in NAV_ITEMS:
        if item.endpoint not in views or not can(item.permission, user=user):
            continue
        try:
            url = url_for(item.endpoint)
        except BuildError:  # an endpoint that needs arguments is not a menu entry
            continue
        links.append(NavLink(item.endpoint, url, item.label, item.description))
    return links
