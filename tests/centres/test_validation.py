"""The rules a centre data file must follow, tested in plain Python (no app)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hsm.centres.centre import Text
from hsm.centres.validation import (
    InvalidNumber,
    check_directory,
    dialling,
    email_problem,
    is_well_formed_href,
    load_file,
    parse_centre,
    url_problem,
)
from tests.centres.helpers import SLUGS, shipped, shipped_text, write_toml


def problems_of(data, slug="uk"):
    centre, problems = parse_centre(data, slug, f"{slug}.toml")
    assert centre is None, "a broken file must not give a centre"
    return {(p.field, p.message) for p in problems}, [str(p) for p in problems]


# --- phone numbers: phonenumbers decides, we only choose the link form ------------------------


@pytest.mark.parametrize(
    ("number", "country", "href"),
    [
        ("999", "GB", "tel:999"),
        ("116 123", "GB", "tel:116123"),
        ("0808 2000 247", "GB", "tel:+448082000247"),
        ("0800-0188", "NL", "tel:+318000188"),
        ("+31 343 578 844", "NL", "tel:+31343578844"),
        ("1800 77 8888", "IE", "tel:+3531800778888"),
        ("+353 66 710 2300", "IE", "tel:+353667102300"),
        ("3919", "FR", "tel:3919"),
        ("15", "FR", "tel:15"),
        ("112", "FR", "tel:112"),
    ],
)
def test_numbers_dial_as_e164_or_short_code(number, country, href):
    dial = dialling(number, country)
    assert dial.href("tel") == href
    assert dial.shown == number
    assert is_well_formed_href(dial.href("tel"))


def test_text_lines_get_sms_links():
    assert dialling("85258", "GB").href("sms") == "sms:85258"
    assert dialling("086 823 8443", "IE").href("sms") == "sms:+353868238443"


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("0800 12", "GB"),  # too short
        ("3919", "GB"),  # a French short code is not a British one
        ("999", "FR"),
        ("113", "NL"),  # phonenumbers has no such short code: use 0800-0113
        ("not a number", "GB"),
        ("+44 999", "GB"),  # a short code never takes a country code
        ("020 91 00000", "IE"),
    ],
)
def test_invalid_numbers_are_refused(number, country):
    with pytest.raises(InvalidNumber, match=repr(number).replace("+", r"\+")):
        dialling(number, country)


@pytest.mark.parametrize(
    ("href", "ok"),
    [
        ("tel:112", True),
        ("tel:+442079460100", True),
        ("sms:85258", True),
        ("tel:0800-0188", False),
        ("tel:+31 800 0188", False),
        ("tel:", False),
        ("tel:+0123456789", False),
        ("callto:112", False),
    ],
)
def test_href_shape(href, ok):
    assert is_well_formed_href(href) is ok


def test_urls_must_be_https():
    assert url_problem("https://www.samaritans.org") is None
    assert "https" in url_problem("http://www.samaritans.org")
    assert url_problem("https://") is not None


def test_email_shape():
    assert email_problem("jo@samaritans.org") is None
    assert email_problem("jo at samaritans") is not None


# --- whole files ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_shipped_files_are_valid(slug):
    centre, problems = parse_centre(shipped(slug), slug, f"{slug}.toml")
    assert problems == []
    assert centre is not None and centre.slug == slug


def test_a_bad_number_names_file_and_field():
    data = shipped("amsterdam")
    data["helplines"][0]["number"] = "0800-01"
    found, messages = problems_of(data, "amsterdam")
    assert any(field == "helplines[0].number" for field, _ in found)
    assert any(m.startswith("amsterdam.toml: helplines[0].number: ") for m in messages)


def test_a_missing_field_names_file_and_field():
    data = shipped("uk")
    del data["timezone"]
    del data["student_services"]["email"]
    found, _ = problems_of(data)
    assert ("timezone", "missing") in found
    assert ("student_services.email", "missing") in found


def test_a_missing_locale_names_the_locale():
    data = shipped("paris")
    del data["helplines"][1]["description"]["nl"]
    data["care"]["points"][0]["fr"] = "   "
    found, _ = problems_of(data, "paris")
    assert ("helplines[1].description.nl", "missing or empty translation") in found
    assert ("care.points[0].fr", "missing or empty translation") in found


def test_an_unknown_locale_or_field_is_a_typo():
    data = shipped("uk")
    data["name"]["de"] = "England"
    data["helplines"][0]["houres"] = "typo"
    found, _ = problems_of(data)
    assert ("name.de", "not one of the app's locales") in found
    assert ("helplines[0].houres", "unknown field (a typo?)") in found


def test_plain_http_links_are_refused():
    data = shipped("ireland")
    data["helplines"][0]["url"] = "http://www.drcc.ie/"
    found, _ = problems_of(data, "ireland")
    assert any(field == "helplines[0].url" and "https" in msg for field, msg in found)


def test_a_demo_number_must_be_reserved_for_fiction():
    data = shipped("uk")
    data["security"]["number"] = "020 7123 4567"  # a real-looking London number
    found, _ = problems_of(data)
    assert any(field == "security.number" and "fiction" in msg for field, msg in found)


def test_a_fictional_number_must_say_it_is_a_demo():
    data = shipped("uk")
    data["security"]["demo"] = False
    found, _ = problems_of(data)
    assert ("security.number", "is a fictional number: mark it demo = true") in found


def test_a_demo_email_must_use_example_org():
    data = shipped("paris")
    data["student_services"]["email"] = "someone@gmail.com"
    found, _ = problems_of(data, "paris")
    assert ("student_services.email", "a demo address must use example.org") in found


def test_every_centre_needs_an_emergency_number():
    data = shipped("uk")
    data["emergency"] = [e for e in data["emergency"] if e["service"] != "emergency"]
    found, _ = problems_of(data)
    assert ("emergency", 'needs an entry with service = "emergency"') in found


def test_holiday_calendar_and_timezone_are_checked():
    data = shipped("uk")
    data["holidays"]["subdivision"] = "XX"
    data["timezone"] = "Europe/Atlantis"
    found, _ = problems_of(data)
    assert any(field == "holidays" for field, _ in found)
    assert ("timezone", "'Europe/Atlantis' is not a known time zone") in found


def test_care_may_only_point_at_known_helplines():
    data = shipped("ireland")
    data["care"]["helplines"] = ["no-such-line"]
    found, _ = problems_of(data, "ireland")
    assert ("care.helplines[0]", "no helpline has id 'no-such-line'") in found


def test_unreadable_toml_names_the_file(tmp_path):
    path = write_toml(tmp_path / "oops.toml", 'country = "GB"\nname = {en = ')
    centre, problems = load_file(path)
    assert centre is None
    assert str(problems[0]).startswith(f"{path}: is not valid TOML")


def test_a_directory_reports_every_file(tmp_path):
    write_toml(tmp_path / "uk.toml", shipped_text("uk"))
    write_toml(tmp_path / "broken.toml", shipped_text("uk").replace('"999"', '"99"'))
    centres, problems = check_directory(tmp_path)
    assert [c.slug for c in centres] == ["uk"]
    assert problems and all(p.file.endswith("broken.toml") for p in problems)
    assert problems[0].field == "emergency[0].number"


def test_an_empty_directory_is_a_problem(tmp_path):
    centres, problems = check_directory(tmp_path)
    assert centres == [] and "no centre files" in str(problems[0])


def test_text_falls_back_to_english():
    text = Text.of({"en": "Hello", "nl": "Hallo", "fr": "Bonjour"})
    assert text["nl"] == "Hallo"
    assert text["de"] == "Hello"


# --- when Student Services are there -------------------------------------------------------


def parsed(slug: str):
    centre, problems = parse_centre(shipped(slug), slug, f"{slug}.toml")
    assert problems == []
    return centre


@pytest.mark.parametrize("slug", SLUGS)
def test_every_centre_says_when_student_services_are_there(slug):
    hours = parsed(slug).service_hours
    assert hours.days == (0, 1, 2, 3, 4)  # weekdays
    assert (hours.opens, hours.closes) == (time(9), time(17))
    assert hours.demo  # not confirmed by the centres yet, and marked so


def test_service_hours_are_checked():
    data = shipped("uk")
    data["student_services"]["service_hours"] |= {
        "days": ["monday", "funday"], "opens": "9am", "closes": "08:00", "extra": 1,
    }
    found, _ = problems_of(data)
    assert any(f == "student_services.service_hours.days" and "funday" not in m
               and "monday" in m for f, m in found)
    assert ("student_services.service_hours.opens",
            "'9am' must be a 24-hour time such as 09:00") in found
    assert ("student_services.service_hours.extra", "unknown field (a typo?)") in found
    data = shipped("uk")
    data["student_services"]["service_hours"]["closes"] = "08:30"
    found, _ = problems_of(data)
    assert ("student_services.service_hours.closes", "must be later than opens") in found
    data = shipped("uk")
    del data["student_services"]["service_hours"]
    found, _ = problems_of(data)
    assert ("student_services.service_hours", "missing") in found


def test_the_hours_text_must_name_the_same_hours():
    data = shipped("paris")
    data["student_services"]["service_hours"]["closes"] = "18:00"  # the text still says 17
    found, _ = problems_of(data, "paris")
    for locale in ("en", "fr", "nl"):
        assert (f"student_services.hours.{locale}",
                "must name the hours of service_hours (09:00 to 18:00)") in found


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("now", "open_now", "next_opening"),
    [
        # Friday evening: next on Monday morning.
        (datetime(2026, 5, 22, 18, 0, tzinfo=LONDON), False, datetime(2026, 5, 26, 9, 0)),
        # Saturday; the Monday after is the Spring Bank Holiday: Tuesday.
        (datetime(2026, 5, 23, 11, 0, tzinfo=LONDON), False, datetime(2026, 5, 26, 9, 0)),
        # A weekday, just before nine: the same morning.
        (datetime(2026, 6, 2, 8, 59, tzinfo=LONDON), False, datetime(2026, 6, 2, 9, 0)),
        # At work: there now, and the next start is tomorrow.
        (datetime(2026, 6, 2, 12, 0, tzinfo=LONDON), True, datetime(2026, 6, 3, 9, 0)),
        # Five o'clock has struck: gone for the day.
        (datetime(2026, 6, 2, 17, 0, tzinfo=LONDON), False, datetime(2026, 6, 3, 9, 0)),
    ],
)
def test_when_student_services_are_next_there(now, open_now, next_opening):
    status = parsed("uk").service_status(now.astimezone(UTC))
    assert status.open_now is open_now
    assert status.next_opening == next_opening.replace(tzinfo=LONDON)
    assert (status.closes is not None) is open_now


def test_service_status_uses_the_centres_own_clock():
    """At 08:30 in London it is 09:30 in Paris: Paris is open, London is not."""
    now = datetime(2026, 6, 2, 7, 30, tzinfo=UTC)
    assert parsed("paris").service_status(now).open_now
    assert not parsed("uk").service_status(now).open_now
