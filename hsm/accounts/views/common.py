"""The staff accounts blueprint and the small helpers its views share."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user

from hsm.accounts import navigation
from hsm.accounts.forms import role_label
from hsm.accounts.models import User
from hsm.centres.registry import centres_by_name
from hsm.i18n import get_locale

bp = Blueprint("accounts", __name__, url_prefix="/staff")

SIGN_IN_LIMIT = "20 per minute"


@bp.app_context_processor
def staff_context():
    return {
        "staff_nav_links": lambda: navigation.links_for(current_user),
        "role_label": role_label,
    }


def centre_choices() -> list[tuple[str, str]]:
    locale = str(get_locale())
    return [(c.slug, c.name_for(locale)) for c in centres_by_name(locale)]


def safe_next(path: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may follow sign-in."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return url_for("accounts.home")


def acting_user() -> User:
    """The signed-in staff member, as the explicit actor for operations."""
    return current_user._get_current_object()
