"""The first pages a student sees: choose a centre, then that centre's support,
options and definitions. No login; nothing here touches the database."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for

from hsm.centres.registry import centre_or_404, centres_by_name, get_centre
from hsm.htmx import render
from hsm.i18n import get_locale
from hsm.pagecache import cached_page
from hsm.security import public

bp = Blueprint("centres", __name__)

# The only thing remembered: the slug of the chosen centre. No tracking.
CENTRE_COOKIE = "hsm_centre"
ONE_YEAR = 60 * 60 * 24 * 365


def remembered_centre():
    slug = request.cookies.get(CENTRE_COOKIE)
    return get_centre(slug) if slug else None


@bp.get("/")
@public
def index():
    """Choose your centre. A remembered centre is offered first, never forced."""
    return render(
        "centres/index.html",
        centres=centres_by_name(str(get_locale())),
        remembered=remembered_centre(),
    )


@bp.get("/choose/<centre>")
@public
def choose(centre: str):
    """Remember the chosen centre (a plain link, so it works without JavaScript)."""
    chosen = centre_or_404(centre)
    response = redirect(url_for("centres.support", centre=chosen.slug), code=303)
    response.set_cookie(
        CENTRE_COOKIE,
        chosen.slug,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/forget-centre")
@public
def forget():
    """Forget the remembered centre, for a shared or borrowed device."""
    response = redirect(url_for("centres.index"), code=303)
    response.delete_cookie(CENTRE_COOKIE, httponly=True, samesite="Lax")
    return response


@bp.get("/<centre>/")
@public
@cached_page
def support(centre: str):
    """Emergency numbers, lines open now, how to report, specialist services."""
    chosen = centre_or_404(centre)
    return render("centres/support.html", centre=chosen)


@bp.get("/<centre>/options")
@public
@cached_page
def options(centre: str):
    """Your options, in plain words (policy Appendix A 5.2 to 5.4)."""
    chosen = centre_or_404(centre)
    return render("centres/options.html", centre=chosen)


@bp.get("/<centre>/what-counts")
@public
@cached_page
def what_counts(centre: str):
    """Harassment, sexual misconduct and consent (policy section 3)."""
    return render("centres/what_counts.html", centre=centre_or_404(centre))
