"""Locale selection and the gettext helpers: the only module that imports them from Babel.

Every area has its own catalog (gettext domain), so that each area's strings live beside
its owner; Flask-Babel merges them. The first match wins when choosing a locale:
1. the explicit choice (``?lang=xx``, remembered in a cookie);
2. the default locale of the centre in the URL;
3. ``Accept-Language``;
4. English.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale
from babel import dates as babel_dates
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel.speaklater import LazyString

from hsm.centres.registry import get_centre
from hsm.extensions import babel

LOCALES = ("en", "nl", "fr")
LOCALE_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}
LANG_COOKIE = "hsm_lang"
# How dates are written in each language: English as in the UK and Ireland (day, month, year,
# 24-hour clock), never Babel's default US English ("12/1/26, 9:47 PM").
FORMAT_LOCALES = {"en": "en_GB", "nl": "nl_NL", "fr": "fr_FR"}
# One gettext domain per area; the order is the merge order.
DOMAINS = ("messages", "centres", "accounts", "reports", "safecontacts", "cases", "letters",
           "stats")

__all__ = [
    "DOMAINS",
    "LANG_COOKIE",
    "LOCALES",
    "LOCALE_NAMES",
    "_",
    "_l",
    "centre_name",
    "force_locale",
    "format_date",
    "format_datetime",
    "get_locale",
    "init_app",
    "ngettext",
    "select_locale",
]


# The gettext helpers, as Flask-Babel's but cheaper on every call. Flask-Babel looks up the
# request's locale and then the catalog on each string (five context-local look-ups, a
# locale identifier built, a dictionary probed); a staff list calls it hundreds of times.
# Here the request's catalog is kept beside the locale Flask-Babel chose, and used while
# that locale stands (``force_locale`` and ``flask_babel.refresh`` change it: a new locale
# object, so the catalog is looked up again).
_NULL = NullTranslations()


def _state():
    """Flask-Babel's per-request namespace, or None outside an application context."""
    try:
        return g._flask_babel
    except AttributeError:
        return flask_babel._get_current_context()  # noqa: SLF001 - made on first use
    except RuntimeError:  # no application context
        return None


def get_locale() -> Locale | None:
    """The request's locale (Flask-Babel's ``get_locale``, without its look-ups once chosen)."""
    state = _state()
    locale = getattr(state, "babel_locale", None) if state is not None else None
    return locale if locale is not None else flask_babel.get_locale()


def get_timezone() -> tzinfo:
    state = _state()
    zone = getattr(state, "babel_tzinfo", None) if state is not None else None
    return zone if zone is not None else flask_babel.get_timezone()


def translations():
    """The request's merged catalog (all DOMAINS) for its current locale."""
    state = _state()
    if state is None:
        return _NULL
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "hsm_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    catalog = flask_babel.get_translations()
    state.hsm_translations = (flask_babel.get_locale(), catalog)
    return catalog


def _(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    return text % variables if variables else text


def _l(string: str, **variables) -> LazyString:
    return LazyString(_, string, **variables)


def format_locale() -> str:
    """The Babel locale that formats dates and numbers for the current language."""
    return FORMAT_LOCALES.get(str(get_locale()), "en_GB")


@lru_cache(maxsize=8)
def _babel_locale(code: str) -> Locale:
    """Parsed once per process: parsing the code again on every date (a list's every row)
    cost more than formatting it."""
    return Locale.parse(code)


def _zone(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return get_timezone()
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def format_date(value: date | datetime | None = None, format: str = "medium",
                tz: tzinfo | str | None = None) -> str:
    """A date in the current language; a datetime is first put in ``tz`` (a centre's zone)."""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(tz)).date() if value.tzinfo else value.date()
    return babel_dates.format_date(value, format=format, locale=_babel_locale(format_locale()))


_NAMED_FORMATS = ("full", "long", "medium", "short")


@lru_cache(maxsize=64)
def _datetime_parts(code: str, format: str):
    """Babel's pieces of a named date-and-time format in one language, parsed once: how it
    joins the two, the time's pattern and the date's pattern."""
    locale = _babel_locale(code)
    return (babel_dates.get_datetime_format(format, locale=locale).replace("'", ""),
            babel_dates.parse_pattern(babel_dates.get_time_format(format, locale=locale)),
            babel_dates.parse_pattern(babel_dates.get_date_format(format, locale=locale)))


def format_datetime(value: datetime | None = None, format: str = "medium",
                    tz: tzinfo | str | None = None) -> str:
    """A date and time in the current language, in ``tz`` (a centre's zone; default UTC).

    What Babel's ``format_datetime`` writes, without finding and parsing the language's
    patterns again for each value (a list formats one per row)."""
    zone = _zone(tz)
    code = format_locale()
    if value is None or format not in _NAMED_FORMATS:
        return babel_dates.format_datetime(value, format=format, tzinfo=zone,
                                           locale=_babel_locale(code))
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)
    if hasattr(zone, "normalize"):  # a pytz zone
        moment = zone.normalize(moment)
    joined, time_pattern, date_pattern = _datetime_parts(code, format)
    locale = _babel_locale(code)
    return (joined.replace("{0}", time_pattern.apply(moment, locale))
            .replace("{1}", date_pattern.apply(moment.date(), locale)))


def centre_name(slug: str | None) -> str:
    """A centre's name in the reader's language; "All centres" for none (a central role);
    the slug itself only for a centre the app does not know (old data)."""
    if not slug:
        return _("All centres")
    centre = get_centre(slug)
    return centre.name_for(str(get_locale())) if centre else slug


def explicit_choice() -> str | None:
    """The locale the visitor asked for, in this request or earlier."""
    asked = request.args.get("lang")
    if asked in LOCALES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    return remembered if remembered in LOCALES else None


def select_locale() -> str:
    """Flask-Babel's locale selector. Outside a request (CLI, jobs) there is no visitor: English."""
    if not has_request_context():
        return "en"
    choice = explicit_choice()
    if choice:
        return choice
    centre_default = None
    if request.view_args and "centre" in request.view_args:
        centre = get_centre(request.view_args["centre"])
        centre_default = centre.default_locale if centre else None
    if centre_default in LOCALES:
        return centre_default
    return request.accept_languages.best_match(LOCALES) or "en"


def language_url(code: str) -> str:
    """The current page in another language; its other query arguments are kept as they are.

    The arguments are encoded, never passed to ``url_for`` as keywords: a visitor's query
    string must not be able to choose the endpoint's arguments or make the link external.
    """
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    args.append(("lang", code))
    if request.endpoint and request.url_rule is not None:
        path = url_for(request.endpoint, **(request.view_args or {}))
    else:
        path = request.path
    return path + "?" + urlencode(args)


def _remember_choice(response):
    asked = request.args.get("lang")
    if asked in LOCALES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(
            LANG_COOKIE,
            asked,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def init_app(app: Flask) -> None:
    app.config["BABEL_DOMAIN"] = ";".join(DOMAINS)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        [str(app.config["HSM_TRANSLATIONS_DIR"])] * len(DOMAINS)
    )
    babel.init_app(app, locale_selector=select_locale)
    # Templates use the same cheaper look-up (Flask-Babel installed its own above).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.after_request(_remember_choice)

    @app.context_processor
    def i18n_context():
        return {
            "current_locale": str(get_locale()),
            "LOCALES": LOCALES,
            "LOCALE_NAMES": LOCALE_NAMES,
            "language_url": language_url,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "centre_name": centre_name,
        }
