"""The cheaper gettext and date helpers of hsm/i18n.py say exactly what Flask-Babel's and
Babel's own say, in every language, and follow ``force_locale``."""

from __future__ import annotations

from datetime import UTC, datetime

import flask_babel
import pytest
from babel import dates as babel_dates
from hypothesis import given
from hypothesis import strategies as st

from hsm import i18n

ZONES = [None, "Europe/London", "Europe/Amsterdam", "Europe/Dublin", "Europe/Paris"]


@given(moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                           timezones=st.sampled_from([None, UTC])),
       format=st.sampled_from(["full", "long", "medium", "short", "d MMM y, HH:mm"]),
       zone=st.sampled_from(ZONES), language=st.sampled_from(i18n.LOCALES))
def test_dates_are_written_as_babel_writes_them(app, moment, format, zone, language):
    with app.test_request_context(f"/?lang={language}"):
        expected = babel_dates.format_datetime(moment, format=format, tzinfo=i18n._zone(zone),  # noqa: SLF001
                                               locale=i18n.format_locale())
        assert i18n.format_datetime(moment, format, zone) == expected


@pytest.mark.parametrize("language", i18n.LOCALES)
def test_strings_are_translated_as_flask_babel_translates_them(app, language):
    with app.test_request_context(f"/?lang={language}"):
        for text in ("Sign out", "Skip to main content", "Safe Support"):
            assert i18n._(text) == flask_babel.gettext(text)
        assert (i18n.ngettext("%(num)d report", "%(num)d reports", 3)
                == flask_babel.ngettext("%(num)d report", "%(num)d reports", 3))
        assert str(i18n._l("Sign out")) == flask_babel.gettext("Sign out")


def test_force_locale_is_followed_and_undone(app):
    with app.test_request_context("/?lang=en"):
        assert i18n._("Sign out") == "Sign out"
        with i18n.force_locale("fr"):
            assert i18n._("Sign out") == flask_babel.gettext("Sign out") != "Sign out"
            assert str(i18n.get_locale()) == "fr"
        assert i18n._("Sign out") == "Sign out" and str(i18n.get_locale()) == "en"


def test_outside_a_request_nothing_is_translated(app):
    assert i18n._("Sign out") == "Sign out"
    with app.app_context():
        assert i18n._("Sign out") == "Sign out"
