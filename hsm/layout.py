"""The staff banner (site name, languages, sign-out and the staff menu), made once and kept.

Every staff page shows it, and it is the same for everyone holding the same roles, reading
the same page in the same language, but for the signed-in person's name and the sign-out
form's CSRF token: it is kept per language, page, query and roles through ``hsm/keep.py``,
which puts both back on each request and never stores either. Inside a page that is itself
being made to be kept, the banner keeps the markers, and that page's own request puts the
name and token back.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from jinja2 import pass_context
from markupsafe import Markup

from hsm import keep
from hsm.i18n import get_locale

TEMPLATE = "layouts/_staff_banner.html"
BANNERS = keep.Kept(512)


def _enabled() -> bool:
    return not (current_app.debug or current_app.config.get("TEMPLATES_AUTO_RELOAD"))


def _render(**personal) -> str:
    return render_template(TEMPLATE, **personal)


@pass_context
def staff_banner(context) -> Markup:
    """The banner of this request's staff page."""
    user = context.get("current_user")
    if user is None or not user.is_authenticated or not _enabled():
        return Markup(_render(current_user=user,  # noqa: S704 - our own template
                              csrf_token=context.get("csrf_token")))
    key = (str(get_locale()), request.endpoint, request.path,
           tuple(request.args.items(multi=True)), keep.roles())
    if keep.making(user):  # the page around it keeps the markers too
        return Markup(BANNERS.store.get(key, lambda: keep.make(_render)))  # noqa: S704
    return Markup(BANNERS.page(key, _render))  # noqa: S704 - the name is escaped


def init_app(app: Flask) -> None:
    app.add_template_global(staff_banner)
