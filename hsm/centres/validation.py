"""Read a centre data file and check every field of it.

The rules, in short:
- every phone number, short codes included, must be valid for the centre's
  country according to `phonenumbers` (we never parse numbers ourselves);
- tel: and sms: links come out as E.164 for full numbers and bare digits for
  short codes, and are checked once more after they are built;
- every piece of text exists in every locale;
- every link is https, every email address is well formed;
- a demo value (a centre's own number we do not know yet) must sit in a range
  reserved for fiction, so a made-up number can never ring a real person.

Problems are collected, not raised one at a time, so `flask hsm centres check`
can show them all; each names the file and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import shortnumberinfo

from hsm.centres.centre import (
    WEEKDAYS,
    CareSection,
    Centre,
    ContactPoint,
    Dialling,
    Link,
    ServiceHours,
    ServiceTargets,
    Text,
)

LOCALES: tuple[str, ...] = ("en", "nl", "fr")
KINDS = ("phone", "text", "web", "email")
SERVICES = ("emergency", "police", "medical", "fire")
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# What a well-formed tel:/sms: link looks like once built: E.164, or a short code.
HREF_RE = re.compile(r"^(tel|sms):(\+[1-9]\d{6,14}|\d{2,6})$")
CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# Number ranges that are never given to a real line, as E.164 prefixes.
# GB: Ofcom's drama numbers (020 7946 0xxx, 01632 960xxx, 07700 900xxx).
# FR: ARCEP's numbers for fiction (01 99 00 xx xx).
# NL and IE: no regulator range that `phonenumbers` accepts, so we use local
# numbers whose subscriber part starts with 0, which are not issued.
DEMO_NUMBER_PREFIXES: dict[str, tuple[str, ...]] = {
    "GB": ("+442079460", "+441632960", "+447700900"),
    "FR": ("+3319900",),
    "NL": ("+312000",),
    "IE": ("+353660",),
}
DEMO_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")


class CentreDataError(Exception):
    """A centre data file is missing, unreadable or wrong. The message names
    the file and the field, so whoever edits the file can fix it."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class InvalidNumber(ValueError):
    pass


def dialling(number: str, country: str) -> Dialling:
    """Check a phone number for `country` and work out how to dial it.

    A full number must be valid (`phonenumbers.is_valid_number`) and is dialled
    in E.164. A short code ("112", "116 123", "3919") must be a valid short
    number for that country and is dialled as its digits.
    """
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"{number!r} cannot be read as a phone number ({exc})") from exc
    if phonenumbers.is_valid_number(parsed):
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return Dialling(shown=number, digits=e164, short=False)
    international = number.lstrip().startswith(("+", "00"))
    if not international and shortnumberinfo.is_valid_short_number_for_region(parsed, country):
        digits = phonenumbers.national_significant_number(parsed)
        return Dialling(shown=number, digits=digits, short=True)
    raise InvalidNumber(f"{number!r} is not a valid phone number or short code for {country}")


def is_well_formed_href(href: str) -> bool:
    """True for tel:/sms: links in E.164 or short-code form."""
    return bool(HREF_RE.match(href))


def is_demo_number(dial: Dialling, country: str) -> bool:
    prefixes = DEMO_NUMBER_PREFIXES.get(country, ())
    return not dial.short and dial.digits.startswith(prefixes)


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"{url!r} must be an https:// link"
    if not parts.netloc or " " in url:
        return f"{url!r} is not a complete link"
    return None


def email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"{email!r} is not a valid email address ({exc})"
    return None


class _Reader:
    """Walks one parsed file, turning fields into values and collecting problems."""

    def __init__(self, file: str, country: str, locales: Sequence[str]):
        self.file = file
        self.country = country
        self.locales = tuple(locales)
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))

    def known_keys(self, table: dict[str, Any], allowed: Iterable[str], where: str) -> None:
        for key in sorted(set(table) - set(allowed)):
            self.problem(f"{where}.{key}" if where else key, "unknown field (a typo?)")

    def table(self, parent: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
        value = parent.get(key)
        if value is None:
            self.problem(where, "missing")
            return None
        if not isinstance(value, dict):
            self.problem(where, "must be a table")
            return None
        return value

    def string(
        self, table: dict[str, Any], key: str, where: str, required: bool = True
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(where, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "must be non-empty text")
            return None
        return value.strip()

    def boolean(self, table: dict[str, Any], key: str, where: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, "must be true or false")
            return False
        return value

    def text(
        self, table: dict[str, Any], key: str, where: str, required: bool = True
    ) -> Text | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(where, f"missing (give it in every locale: {', '.join(self.locales)})")
            return None
        if not isinstance(value, dict):
            self.problem(where, f'must be given per locale, e.g. {where}.en = "..."')
            return None
        return self._text_from(value, where)

    def _text_from(self, value: dict[str, Any], where: str) -> Text | None:
        found: dict[str, str] = {}
        for locale in self.locales:
            item = value.get(locale)
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{where}.{locale}", "missing or empty translation")
            else:
                found[locale] = " ".join(item.split())
        for extra in sorted(set(value) - set(self.locales)):
            self.problem(f"{where}.{extra}", "not one of the app's locales")
        return Text.of(found) if len(found) == len(self.locales) else None

    def number(self, table: dict[str, Any], key: str, where: str) -> Dialling | None:
        raw = self.string(table, key, where)
        if raw is None:
            return None
        try:
            dial = dialling(raw, self.country)
        except InvalidNumber as exc:
            self.problem(where, str(exc))
            return None
        for scheme in ("tel", "sms"):
            if not is_well_formed_href(dial.href(scheme)):
                self.problem(where, f"makes a malformed link {dial.href(scheme)!r}")
        return dial

    def url(self, table: dict[str, Any], key: str, where: str, required: bool) -> str | None:
        raw = self.string(table, key, where, required=required)
        if raw is not None and (message := url_problem(raw)):
            self.problem(where, message)
            return None
        return raw

    def email(self, table: dict[str, Any], key: str, where: str, required: bool) -> str | None:
        raw = self.string(table, key, where, required=required)
        if raw is not None and (message := email_problem(raw)):
            self.problem(where, message)
            return None
        return raw

    # -- entries ---------------------------------------------------------------

    CONTACT_KEYS = (
        "id", "kind", "name", "number", "email", "url", "hours", "always_open",
        "description", "source", "demo", "text_keyword", "service",
    )  # fmt: skip

    def contact(
        self,
        table: dict[str, Any],
        where: str,
        *,
        default_id: str,
        default_kind: str | None = None,
        default_name: Text | None = None,
        need_source: bool = False,
        need_description: bool = False,
        need_hours: bool = False,
        service_required: bool = False,
        extra_keys: tuple[str, ...] = (),
    ) -> ContactPoint | None:
        before = len(self.problems)
        self.known_keys(table, self.CONTACT_KEYS + extra_keys, where)
        entry_id = self.string(table, "id", f"{where}.id", required=False) or default_id
        if not ID_RE.match(entry_id):
            self.problem(f"{where}.id", "use lower-case letters, digits and hyphens")
        kind = self.string(table, "kind", f"{where}.kind", required=default_kind is None)
        kind = kind or default_kind or ""
        if kind not in KINDS:
            self.problem(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
        name = default_name or self.text(table, "name", f"{where}.name")
        if default_name is not None and "name" in table:
            name = self.text(table, "name", f"{where}.name")

        number = None
        if "number" in table or kind in ("phone", "text"):
            number = self.number(table, "number", f"{where}.number")
        email = self.email(table, "email", f"{where}.email", required=kind == "email")
        url = self.url(table, "url", f"{where}.url", required=kind == "web")
        source = self.url(table, "source", f"{where}.source", required=need_source)
        hours = self.text(table, "hours", f"{where}.hours", required=need_hours)
        description = self.text(
            table, "description", f"{where}.description", required=need_description
        )
        always_open = self.boolean(table, "always_open", f"{where}.always_open")
        demo = self.boolean(table, "demo", f"{where}.demo")
        keyword = self.string(table, "text_keyword", f"{where}.text_keyword", required=False)
        if keyword and kind != "text":
            self.problem(f"{where}.text_keyword", "only a text line has a keyword")

        service = self.string(table, "service", f"{where}.service", required=service_required)
        if service is not None and service not in SERVICES:
            self.problem(f"{where}.service", f"must be one of {', '.join(SERVICES)}")

        if demo:
            if number and not is_demo_number(number, self.country):
                self.problem(
                    f"{where}.number",
                    f"{number.shown!r} is marked demo but is not in a range reserved "
                    f"for fiction in {self.country}; a made-up number may ring a real "
                    "person (see DEMO_NUMBER_PREFIXES in hsm/centres/validation.py)",
                )
            if email and email.rpartition("@")[2] not in DEMO_EMAIL_DOMAINS:
                self.problem(f"{where}.email", "a demo address must use example.org")
        else:
            if number and is_demo_number(number, self.country):
                self.problem(f"{where}.number", "is a fictional number: mark it demo = true")
            if email and email.rpartition("@")[2] in DEMO_EMAIL_DOMAINS:
                self.problem(f"{where}.email", "is a fictional address: mark it demo = true")

        if len(self.problems) > before or name is None or not kind:
            return None
        return ContactPoint(
            id=entry_id,
            kind=kind,
            name=name,
            number=number,
            email=email,
            url=url,
            hours=hours,
            always_open=always_open,
            description=description,
            source=source,
            demo=demo,
            text_keyword=keyword,
            service=service,
        )

    def entries(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key)
        if value is None:
            self.problem(key, "missing")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, f"must be a list of tables: [[{key}]]")
            return []
        if not value:
            self.problem(key, "must have at least one entry")
        return value


TOP_KEYS = (
    "name", "country", "jurisdiction", "timezone", "default_locale", "holidays",
    "emergency", "student_services", "centre_emergency", "security", "helplines", "care",
    "service_targets",
)  # fmt: skip
CENTRE_TEAMS = {
    # key: (what a student calls it, in gettext-free data terms)
    "student_services": "student-services",
    "centre_emergency": "centre-emergency",
    "security": "security",
}


@dataclass
class _Identity:
    name: Text | None = None
    country: str | None = None
    jurisdiction: str | None = None
    timezone: str | None = None
    default_locale: str | None = None

    def complete(self) -> bool:
        return None not in (self.name, self.country, self.jurisdiction, self.timezone,
                            self.default_locale)


def _identity(r: _Reader, data: dict[str, Any], locales: Sequence[str]) -> _Identity:
    """Name, country, jurisdiction, time zone and default language."""
    found = _Identity(name=r.text(data, "name", "name"))
    found.country = r.string(data, "country", "country")
    if found.country is not None and (len(found.country) != 2 or not found.country.isupper()):
        r.problem("country", "must be an ISO 3166 two-letter code such as GB")
    found.jurisdiction = r.string(data, "jurisdiction", "jurisdiction")
    if found.jurisdiction is not None and not found.jurisdiction.islower():
        r.problem("jurisdiction", "must be lower case, e.g. england")
    found.timezone = r.string(data, "timezone", "timezone")
    if found.timezone is not None:
        try:
            ZoneInfo(found.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            r.problem("timezone", f"{found.timezone!r} is not a known time zone")
    found.default_locale = r.string(data, "default_locale", "default_locale")
    if found.default_locale is not None and found.default_locale not in locales:
        r.problem("default_locale", f"must be one of {', '.join(locales)}")
    return found


def _holidays(r: _Reader, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The country (and subdivision) of the centre's public holidays."""
    if (cal := r.table(data, "holidays", "holidays")) is None:
        return None, None
    r.known_keys(cal, ("country", "subdivision"), "holidays")
    country = r.string(cal, "country", "holidays.country")
    subdivision = r.string(cal, "subdivision", "holidays.subdivision", required=False)
    if country is not None:
        try:
            holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as exc:
            r.problem("holidays", f"the holidays library does not know it: {exc}")
    return country, subdivision


def _emergency(r: _Reader, data: dict[str, Any]) -> list[ContactPoint]:
    emergency: list[ContactPoint] = []
    for i, item in enumerate(r.entries(data, "emergency")):
        entry = r.contact(
            item, f"emergency[{i}]", default_id=f"emergency-{i}", service_required=True
        )
        if entry is not None:
            emergency.append(entry)
    if emergency and not any(e.service == "emergency" for e in emergency):
        r.problem("emergency", 'needs an entry with service = "emergency"')
    return emergency


def _teams(r: _Reader, data: dict[str, Any], locales: Sequence[str]):
    """The centre's own teams, and Student Services' working hours."""
    teams: dict[str, ContactPoint | None] = {}
    for key, team_id in CENTRE_TEAMS.items():
        table = r.table(data, key, key)
        teams[key] = None
        if table is not None:
            teams[key] = r.contact(
                table, key, default_id=team_id, default_kind="phone",
                default_name=Text.of({loc: key for loc in locales}), need_hours=True,
                extra_keys=("service_hours",) if key == "student_services" else (),
            )  # fmt: skip
    service_hours = None
    if (services := data.get("student_services")) and isinstance(services, dict):
        if "email" not in services:
            r.problem("student_services.email", "missing")
        service_hours = _service_hours(r, services)
    return teams, service_hours


def _helplines(r: _Reader, data: dict[str, Any]) -> list[ContactPoint]:
    helplines: list[ContactPoint] = []
    for i, item in enumerate(r.entries(data, "helplines")):
        entry = r.contact(
            item, f"helplines[{i}]", default_id="", need_source=True,
            need_description=True, need_hours=True,
        )  # fmt: skip
        if "id" not in item:
            r.problem(f"helplines[{i}].id", "missing")
        if entry is not None:
            helplines.append(entry)
    ids = [h.id for h in helplines]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        r.problem("helplines", f"id {dup!r} is used twice")
    return helplines


def parse_centre(
    data: dict[str, Any], slug: str, file: str, locales: Sequence[str] = LOCALES
) -> tuple[Centre | None, list[Problem]]:
    """Turn one parsed data file into a `Centre`, or say everything wrong with it.

    Each part of the file has its own reader below; every problem in every part is reported.
    """
    if not SLUG_RE.match(slug):
        return None, [Problem(file, "", f"file name {slug!r} is not a usable centre slug")]
    country = data.get("country")
    r = _Reader(file, country if isinstance(country, str) else "", locales)
    r.known_keys(data, TOP_KEYS, "")

    identity = _identity(r, data, locales)
    holiday_country, holiday_subdivision = _holidays(r, data)
    emergency = _emergency(r, data)
    teams, service_hours = _teams(r, data, locales)
    helplines = _helplines(r, data)
    care = _care(r, data, {h.id for h in helplines})
    service_targets = _service_targets(r, data)

    if r.problems or not identity.complete():
        return None, r.problems
    assert holiday_country and care and service_hours and service_targets
    services_team, centre_team, security_team = (teams[k] for k in CENTRE_TEAMS)
    assert services_team and centre_team and security_team
    centre = Centre(
        slug=slug,
        name=identity.name,
        country=identity.country,
        jurisdiction=identity.jurisdiction,
        timezone=identity.timezone,
        default_locale=identity.default_locale,
        holiday_country=holiday_country,
        holiday_subdivision=holiday_subdivision,
        emergency_numbers=tuple(emergency),
        student_services=services_team,
        centre_emergency=centre_team,
        security=security_team,
        helplines=tuple(helplines),
        care=care,
        service_hours=service_hours,
        service_targets=service_targets,
        source_file=file,
    )
    return centre, []


def _clock(r: _Reader, table: dict[str, Any], key: str, where: str) -> time | None:
    raw = r.string(table, key, where)
    if raw is None:
        return None
    if not (match := CLOCK_RE.match(raw)):
        r.problem(where, f"{raw!r} must be a 24-hour time such as 09:00")
        return None
    return time(int(match[1]), int(match[2]))


def _service_hours(r: _Reader, services: dict[str, Any]) -> ServiceHours | None:
    """``[student_services.service_hours]``: the days and hours Student Services are there.

    The receipt tells a reporter from these when someone will read their report. The
    words for them are the team's ``hours`` text, which must name the same hours.
    """
    where = "student_services.service_hours"
    table = r.table(services, "service_hours", where)
    if table is None:
        return None
    r.known_keys(table, ("days", "opens", "closes", "demo"), where)
    days = table.get("days")
    if not isinstance(days, list) or not days or not all(d in WEEKDAYS for d in days):
        r.problem(f"{where}.days", f"must be a list of days from: {', '.join(WEEKDAYS)}")
        days = []
    elif len(set(days)) != len(days):
        r.problem(f"{where}.days", "names a day twice")
    opens = _clock(r, table, "opens", f"{where}.opens")
    closes = _clock(r, table, "closes", f"{where}.closes")
    if opens and closes and opens >= closes:
        r.problem(f"{where}.closes", "must be later than opens")
    demo = r.boolean(table, "demo", f"{where}.demo")
    hours_text = services.get("hours")
    if opens and closes and isinstance(hours_text, dict):
        for locale, words in sorted(hours_text.items()):
            said = {int(n) for n in re.findall(r"\d+", words)} if isinstance(words, str) else set()
            if not {opens.hour, closes.hour} <= said:
                r.problem(f"student_services.hours.{locale}",
                          f"must name the hours of service_hours ({opens:%H:%M} to {closes:%H:%M})")
    if not days or opens is None or closes is None:
        return None
    return ServiceHours(
        days=tuple(sorted(WEEKDAYS.index(d) for d in days)), opens=opens, closes=closes, demo=demo
    )


SERVICE_TARGETS = ("report_acknowledgement", "complaint_acknowledgement")
MAX_TARGET_DAYS = 20


def _service_targets(r: _Reader, data: dict[str, Any]) -> ServiceTargets | None:
    """``[service_targets]``: working days for a first acknowledgement of a report and for the
    Centre Director's acknowledgement of a formal complaint, each with a sooner ``_urgent``
    target for urgent cases (immediate danger, under 18). 0 is the same working day."""
    table = r.table(data, "service_targets", "service_targets")
    if table is None:
        return None
    keys = [k for base in SERVICE_TARGETS for k in (base, f"{base}_urgent")]
    r.known_keys(table, keys, "service_targets")
    values: dict[str, int] = {}
    for key in keys:
        value = table.get(key)
        if value is None:
            r.problem(f"service_targets.{key}", "missing")
        elif isinstance(value, bool) or not isinstance(value, int):
            r.problem(f"service_targets.{key}", "must be a whole number of working days")
        elif not 0 <= value <= MAX_TARGET_DAYS:
            r.problem(f"service_targets.{key}", f"must be between 0 and {MAX_TARGET_DAYS}")
        else:
            values[key] = value
    for base in SERVICE_TARGETS:
        urgent = f"{base}_urgent"
        if base in values and urgent in values and values[urgent] > values[base]:
            r.problem(f"service_targets.{urgent}", f"must not be later than {base}")
    return ServiceTargets(**values) if len(values) == len(keys) else None


def _care(r: _Reader, data: dict[str, Any], helpline_ids: set[str]) -> CareSection | None:
    table = r.table(data, "care", "care")
    if table is None:
        return None
    r.known_keys(table, ("heading", "points", "links", "helplines"), "care")
    heading = r.text(table, "heading", "care.heading")
    points_raw = table.get("points")
    points: list[Text] = []
    if not isinstance(points_raw, list) or not points_raw:
        r.problem("care.points", "must be a list of [[care.points]] tables")
    else:
        for i, point in enumerate(points_raw):
            text = r._text_from(point, f"care.points[{i}]") if isinstance(point, dict) else None
            if text is not None:
                points.append(text)
    links: list[Link] = []
    for i, item in enumerate(table.get("links", [])):
        where = f"care.links[{i}]"
        r.known_keys(item, ("url", "label"), where)
        url = r.url(item, "url", f"{where}.url", required=True)
        label = r.text(item, "label", f"{where}.label")
        if url and label:
            links.append(Link(url=url, label=label))
    wanted = table.get("helplines", [])
    for i, helpline_id in enumerate(wanted):
        if helpline_id not in helpline_ids:
            r.problem(f"care.helplines[{i}]", f"no helpline has id {helpline_id!r}")
    if heading is None:
        return None
    return CareSection(
        heading=heading, points=tuple(points), links=tuple(links), helpline_ids=tuple(wanted)
    )


def load_file(path: Path, locales: Sequence[str] = LOCALES) -> tuple[Centre | None, list[Problem]]:
    """Read and check one `<slug>.toml` file."""
    file = str(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        return None, [Problem(file, "", f"cannot be read ({exc.strerror})")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(file, "", f"is not valid TOML ({exc})")]
    return parse_centre(data, path.stem, file, locales)


def check_directory(
    directory: Path, locales: Sequence[str] = LOCALES
) -> tuple[list[Centre], list[Problem]]:
    """Check every `*.toml` in `directory`; return the good centres and all problems."""
    centres: list[Centre] = []
    problems: list[Problem] = []
    files = sorted(directory.glob("*.toml"))
    if not files:
        problems.append(Problem(str(directory), "", "holds no centre files (*.toml)"))
    for path in files:
        centre, found = load_file(path, locales)
        problems.extend(found)
        if centre is not None:
            centres.append(centre)
    return centres, problems
