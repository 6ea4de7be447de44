"""The staff navigation: what each user's roles open, built from the one permission table."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from hsm.cases import views as cases_views
from hsm.i18n import _l
from hsm.security import Permission, can
from hsm.stats import views as stats_views


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
    NavItem(Permission.VIEW_STAFF_RESPONDENT_REPORTS, "reports.inbox", _l("Staff matters"),
            _l("Reports where the responding party is a member of staff.")),
    # Every role with a case board (its words are in the cases catalog).
    *(NavItem(permission, "cases.board", cases_views.NAV_LABEL, cases_views.NAV_DESCRIPTION)
      for permission in cases_views.BOARD_PERMISSIONS),
    NavItem(Permission.MANAGE_SAFE_CONTACTS, "safecontacts.board", _l("Safe Contact applications"),
            _l("Applications to the Safe Contact scheme, stage by stage.")),
    NavItem(Permission.EDIT_OWN_BIOGRAPHY, "safecontacts.my_biography",
            _l("My Safe Contact biography"),
            _l("What students read about you in the Safe Contact directory.")),
    NavItem(Permission.VIEW_STATISTICS, "stats.index", stats_views.NAV_LABEL,
            stats_views.NAV_DESCRIPTION),
    NavItem(Permission.MANAGE_USERS, "accounts.users", _l("Users and roles"),
            _l("Invite staff, give and remove roles, deactivate accounts.")),
    NavItem(Permission.APPROVE_GRANTS, "accounts.grants", _l("Roles to approve"),
            _l("Roles that open reports, cases or equality data wait for a second person.")),
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
    """The links ``user`` may follow (one per page, even when several roles open it)."""
    links: list[NavLink] = []
    seen: set[str] = set()
    for item in NAV_ITEMS:
        if item.endpoint in seen or not can(item.permission, user=user):
            continue
        seen.add(item.endpoint)
        links.append(NavLink(item.endpoint, url_for(item.endpoint), item.label, item.description))
    return links
