"""Loading the centres at start-up, and `flask hsm centres check`."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from hsm import create_app
from hsm.centres import registry
from hsm.centres.cli import centres_cli
from hsm.centres.registry import CentreDataError, all_centres, centre_or_404, get_centre
from hsm.i18n import LOCALES
from tests.centres.helpers import SLUGS, shipped_text, write_toml


def broken_dir(tmp_path, replace: tuple[str, str], slug: str = "uk"):
    """A centres folder holding the shipped files, with one of them broken."""
    for each in SLUGS:
        text = shipped_text(each)
        if each == slug:
            assert replace[0] in text
            text = text.replace(replace[0], replace[1], 1)
        write_toml(tmp_path / f"{each}.toml", text)
    return tmp_path


def test_the_app_knows_every_centre(app):
    assert [c.slug for c in all_centres()] == sorted(SLUGS)
    uk = get_centre("uk")
    assert uk is not None and uk.oia_applies
    assert [c.slug for c in all_centres() if c.oia_applies] == ["uk"]
    assert get_centre("atlantis") is None
    assert centre_or_404("paris").default_locale == "fr"
    with pytest.raises(NotFound):
        centre_or_404("atlantis")


def test_centre_facts(app):
    expected = {
        "uk": ("GB", "england", "Europe/London", "en"),
        "amsterdam": ("NL", "netherlands", "Europe/Amsterdam", "nl"),
        "ireland": ("IE", "ireland", "Europe/Dublin", "en"),
        "paris": ("FR", "france", "Europe/Paris", "fr"),
    }
    for slug, facts in expected.items():
        centre = get_centre(slug)
        got = (centre.country, centre.jurisdiction, centre.timezone, centre.default_locale)
        assert got == facts
        assert centre.student_services_email.endswith("@example.org")
        assert centre.name_for("en") and centre.name_for("fr")


def test_holiday_calendars(app):
    assert date(2025, 12, 25) in get_centre("uk").holiday_calendar(2025)
    assert date(2025, 4, 26) in get_centre("amsterdam").holiday_calendar(2025)  # King's Day
    assert date(2025, 3, 17) in get_centre("ireland").holiday_calendar(2025)  # St Patrick's Day
    assert date(2025, 7, 14) in get_centre("paris").holiday_calendar(2025)
    assert date(2025, 7, 14) not in get_centre("uk").holiday_calendar(2025)


def test_numbers_copied_from_centres_md(app):
    def shown(slug):
        return {c.number.shown for c in get_centre(slug).contact_points if c.number}

    assert {"999", "101", "111", "116 123", "85258", "0808 2000 247", "0300 123 3393"} <= shown(
        "uk"
    )
    assert {"112", "0900-8844", "+31 343 578 844", "0800-0188", "088-2080000", "0800-0432"} <= (
        shown("amsterdam")
    )
    assert {"0900-1450", "0800-0450", "020-523-5433"} <= shown("amsterdam")
    assert {"999", "112", "+353 66 710 2300", "+353 86 408 5963", "1800 77 8888"} <= shown(
        "ireland"
    )
    assert {"086 823 8443", "1800 633 333", "1800 341 900", "116 123"} <= shown("ireland")
    assert {"112", "17", "15", "18", "114", "3919", "3114", "119"} <= shown("paris")


@pytest.mark.parametrize("slug", SLUGS)
def test_centre_data_text_is_complete_in_every_locale(slug):
    """Walk the raw file: every table that holds text in one locale holds it in all."""
    data = tomllib.loads(shipped_text(slug))
    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            if set(node) & set(LOCALES):
                for locale in LOCALES:
                    value = node.get(locale)
                    if not isinstance(value, str) or not value.strip():
                        missing.append(f"{where}.{locale}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")

    walk(data, slug)
    assert missing == []


def test_every_demo_value_is_marked(app):
    for centre in all_centres():
        for team in (centre.student_services, centre.centre_emergency, centre.security):
            assert team.demo, f"{centre.slug}: {team.id} is not a known real value"


def test_a_broken_file_stops_loading_with_file_and_field(tmp_path):
    folder = broken_dir(tmp_path, ('number = "0800-0188"', 'number = "0800-01"'), "amsterdam")
    flask_app = Flask(__name__)
    flask_app.config["HSM_CENTRES_DIR"] = str(folder)
    with pytest.raises(CentreDataError) as raised:
        registry.init_app(flask_app)
    message = str(raised.value)
    assert "amsterdam.toml: helplines[0].number:" in message
    assert "'0800-01' is not a valid phone number" in message


def test_a_broken_file_stops_app_start_up(tmp_path):
    folder = broken_dir(tmp_path, ('timezone = "Europe/Paris"\n', ""), "paris")
    with pytest.raises(CentreDataError, match=r"paris\.toml: timezone: missing"):
        create_app({"HSM_CENTRES_DIR": str(folder), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_a_missing_locale_stops_loading(tmp_path):
    folder = broken_dir(tmp_path, ('fr = "Irlande (Tralee)"\n', ""), "ireland")
    with pytest.raises(CentreDataError, match=r"ireland\.toml: name\.fr: missing or empty"):
        registry.load_centres(folder)


def test_check_command_passes_on_shipped_data(app):
    result = app.test_cli_runner().invoke(args=["hsm", "centres", "check"])
    assert result.exit_code == 0, result.output
    for slug in SLUGS:
        assert f"ok    {slug}:" in result.output
    assert "4 centre(s), no problems" in result.output


def test_check_command_reports_the_same_problems(app, tmp_path):
    folder = broken_dir(tmp_path, ('number = "999"', 'number = "9999"'))
    (folder / "ireland.toml").write_text(
        shipped_text("ireland").replace('email = "counselling@rcc.ie"\n', ""), encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(centres_cli, ["check", "--dir", str(folder)])
    assert result.exit_code == 1
    uk_error = f"error {folder / 'uk.toml'}: emergency[0].number: '9999' is not a valid"
    assert uk_error in result.output
    assert f"error {folder / 'ireland.toml'}: helplines[2].email: missing" in result.output
    assert "ok    amsterdam:" in result.output
    assert "problem(s) in the centre data files" in result.output
    # The loader says exactly the same thing.
    with pytest.raises(CentreDataError) as raised:
        registry.load_centres(folder)
    for line in str(raised.value).splitlines():
        assert f"error {line}" in result.output


@pytest.mark.parametrize("slug", ["staff", "follow-up", "safe-contacts", "static", "leave"])
def test_a_centre_slug_that_is_a_site_address_stops_start_up(tmp_path, slug):
    import shutil

    folder = tmp_path / "centres"
    folder.mkdir()
    for path in registry.DEFAULT_DATA_DIR.glob("*.toml"):
        shutil.copy(path, folder / path.name)
    shutil.copy(folder / "uk.toml", folder / f"{slug}.toml")
    with pytest.raises(CentreDataError, match=rf"{slug}\.toml: .*one of the site's own addresses"):
        create_app({"HSM_CENTRES_DIR": str(folder), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_the_site_paths_cover_the_fixed_routes(app):
    paths = registry.site_paths(app)
    assert {"staff", "follow-up", "safe-contacts", "static"} <= paths
    assert not paths & {c.slug for c in all_centres()}
