"""Dates are written as the centres write them: day before month, 24-hour clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from hsm.i18n import force_locale, format_date, format_datetime

EVENING = datetime(2026, 12, 1, 21, 47, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "01/12/2026, 21:47"), ("nl", "01-12-2026, 21:47"), ("fr", "01/12/2026 21:47")],
)
def test_short_date_times_put_the_day_first_in_every_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_datetime(EVENING, "short") == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "1 Dec 2026"), ("nl", "1 dec 2026"), ("fr", "1 déc. 2026")],
)
def test_dates_put_the_day_first_in_every_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_date(date(2026, 12, 1)) == expected


def test_a_centre_zone_moves_the_time_and_the_date(app):
    with app.test_request_context(), force_locale("en"):
        assert format_datetime(EVENING, "short", tz="Europe/Paris") == "01/12/2026, 22:47"
        late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
        assert format_date(late, tz="Europe/Paris") == "2 Dec 2026"
        assert format_date(late) == "1 Dec 2026"


def test_templates_get_the_same_formatters_everywhere(app):
    with app.test_request_context(), force_locale("en"):
        rendered = render_template_string("{{ format_date(d) }}", d=date(2026, 3, 27))
        assert rendered == "27 Mar 2026"
