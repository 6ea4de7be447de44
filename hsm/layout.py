"""The staff banner (site name, languages, sign-out and the staff menu), made once and kept.

Every staff page shows it, and it is the same for everyone holding the same roles, reading
the same page in the same language, except for two things: the signed-in person's name and
the CSRF token of the sign-out form. It is made with a marker in their place (random per
process) and kept per language, page, query and roles; each request puts its own name and
token back in. Nothing personal is ever stored, and a page with its own query gets its own
entry (the language links repeat the query). Statistics pages keep whole pages the same way
(hsm/stats/views.py).
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

from hsm.i18n import get_locale
from hsm.stats.memo import SnapshotCache

TEMPLATE = "layouts/_staff_banner.html"
BANNERS = SnapshotCache(512)
_NAME_MARK = f"hsm-name-{secrets.token_hex(16)}"
_TOKEN_MARK = f"hsm-token-{secrets.token_hex(16)}"


class _Unnamed:
    """The signed-in user as the kept banner sees them: the name is a marker."""

    name = _NAME_MARK
    is_authenticated = True


def _enabled() -> bool:
    return not (current_app.debug or current_app.config.get("TEMPLATES_AUTO_RELOAD"))


def _made() -> str:
    html = render_template(TEMPLATE, current_user=_Unnamed(), csrf_token=lambda: _TOKEN_MARK)
    if generate_csrf() in html:
        raise RuntimeError("a banner to be kept holds this request's CSRF token")
    return html


@pass_context
def staff_banner(context) -> Markup:
    """The banner of this request's staff page. A page that is itself being made to be kept
    (with its own markers for the name and the token) gets a banner with those markers."""
    user, token = context.get("current_user"), context.get("csrf_token")
    if user is not current_user._get_current_object() or not user.is_authenticated \
            or not _enabled():
        return Markup(render_template(TEMPLATE, current_user=user,  # noqa: S704 - ours
                                      csrf_token=token))
    key = (
        str(get_locale()),
        request.endpoint,
        request.path,
        tuple(request.args.items(multi=True)),
        tuple(sorted((role, centre or "") for role, centre in current_user.role_scopes())),
    )
    html = BANNERS.get(key, _made)
    return Markup(html.replace(_TOKEN_MARK, generate_csrf())  # noqa: S704 - name escaped
                  .replace(_NAME_MARK, str(escape(current_user.name))))


def init_app(app: Flask) -> None:
    app.add_template_global(staff_banner)
