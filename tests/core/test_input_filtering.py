"""Findings 3 and 4 of the outside test: characters no person types, and answers of spaces.

- NUL bytes gave 500 on PostgreSQL (``department=%00`` on the Safe Contact application, the
  admin's invite with ``name=%00``) and were stored silently on SQLite. Every form now filters
  every field with the one filter (bound by the shared base ``Form``), and every query-string
  and form value is filtered at the edge. The walks below post NUL, a lone surrogate as a
  browser would encode it (``%ED%A0%80``) and control characters to every form class, every
  POST route and every GET route's filters, on SQLite and on PostgreSQL: never a 500, and
  nothing stored holds such a character.
- ``name="   "`` was accepted: every required field now strips first, then requires, with one
  shared validator (``hsm.forms.Required``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

import hsm.accounts.forms
import hsm.cases.forms
import hsm.letters.forms
import hsm.reports.forms
import hsm.safecontacts.forms  # noqa: F401 - every area's forms, so every subclass is known
from hsm.accounts.sessions import new_session_payload
from hsm.accounts.views.account import CODES_PREFIX, MFA_OFF_PREFIX
from hsm.cases.actions import ACTIONS
from hsm.extensions import db
from hsm.forms import PARTS, DateInput, Form, Required
from hsm.i18n import force_locale
from hsm.reports.forms import ReportForm
from hsm.security import Role, role_is_centre_scoped
from tests.factories import make_user

# What the filter must never let through: C0 controls but tab and line breaks, DEL, surrogates.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
BAD_TEXT = "a\x00b\ud800c\x07d\x1b\x7fe"
# On the wire, as sent: NUL, a lone surrogate's UTF-8-style bytes, BEL, ESC, DEL, SOH.
BAD_WIRE = "x%00y%ED%A0%80z%07%1B%7F%01"
# Arguments of the forms that take some (the choices they offer do not matter here).
FORM_ARGS = {"safecontacts.forms.TrainingForm": ([], "en"),
             "safecontacts.forms.MeetingForm": ([],),
             "safecontacts.forms.BiographyForm": (False,)}
# Query-string parameters the app's pages read (filters, paging, the board's htmx arguments).
QUERY_NAMES = ("q", "action", "actor", "centre", "date_from", "date_to", "status", "flag",
               "page", "badge", "language", "column", "after", "version", "board", "mine",
               "overdue", "kind", "party", "request", "corrects", "lang", "v", "next")


def _form_classes() -> list[type[Form]]:
    found, todo = set(), [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("hsm."):
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


FORM_CLASSES = _form_classes()


def _form_id(form_class) -> str:
    return f"{form_class.__module__[4:]}.{form_class.__name__}"


def _build(form_class, formdata=None):
    form = form_class(*FORM_ARGS.get(_form_id(form_class), ()), formdata=formdata,
                      meta={"csrf": False})
    for field in form:
        if getattr(field, "choices", ()) is None:  # filled by the view
            field.choices = []
    return form


def _names(form) -> list[str]:
    names = []
    for field in form:
        if isinstance(field, DateInput):
            names += [field.part_name(part) for part in PARTS]
        else:
            names.append(field.name)
    return names


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def test_the_walk_knows_every_area_s_forms():
    names = {c.__name__ for c in FORM_CLASSES}
    assert {"ReportForm", "ApplicationForm", "InviteForm", "LetterForm", "AuditFilterForm",
            "CaseForm"} <= names
    assert len(FORM_CLASSES) > 40


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=_form_id)
def test_every_form_filters_every_field_with_the_one_filter(app, form_class):
    with app.test_request_context(method="POST"), force_locale("en"):
        names = _names(_build(form_class))
        form = _build(form_class, MultiDict([(name, f"  {BAD_TEXT}  ") for name in names]))
        form.validate()  # answers; never raises
        for field in form:
            for value in _strings(field.data):
                assert not CONTROL.search(value), (field.name, value)
                if not isinstance(field, PasswordField):
                    assert value == value.strip(), (field.name, value)
            # One shared "required" validator: strip first, then require.
            assert not any(isinstance(v, InputRequired | DataRequired) for v in field.validators)


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=_form_id)
def test_spaces_alone_are_no_answer_on_any_required_text_field(app, form_class):
    with app.test_request_context(method="POST"), force_locale("en"):
        names = _names(_build(form_class))
        form = _build(form_class, MultiDict([(name, "   \t ") for name in names]))
        form.validate()
        for field in form:
            required = next((v for v in field.validators if isinstance(v, Required)), None)
            if required and isinstance(field, StringField | TextAreaField | PasswordField):
                assert field.errors == [str(required.message)], field.name


def test_the_safe_contact_application_refuses_a_name_of_spaces(client):
    from tests.helpers import csrf_token

    token = csrf_token(client, "/safe-contacts/apply")
    response = client.post("/safe-contacts/apply", data={
        "csrf_token": token, "name": "   ", "email": "sam@example.org", "job_title": "   ",
        "department": "\t"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400  # refused, with its messages; nothing saved
    assert "Enter your name" in html and "Enter your job title" in html
    assert "Enter your department" in html


# --- over HTTP, on both databases -----------------------------------------------------------


@pytest.fixture
def walker(app, client):
    """A person holding every role (at uk where a role has a centre), limits off: the walk
    reaches the forms themselves. ``sign_in()`` signs in again and returns a CSRF token."""
    from tests.helpers import csrf_token

    app.config["RATELIMIT_ENABLED"] = False
    user = make_user(*[(r.value, "uk" if role_is_centre_scoped(r) else None) for r in Role])

    def sign_in():
        payload = new_session_payload(user)
        db.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session.update(payload)
        return csrf_token(client, "/uk/report")

    sign_in()
    yield client, user, sign_in
    app.config["RATELIMIT_ENABLED"] = True


def _objects(user) -> dict[str, int]:
    from datetime import date

    from hsm.cases import operations as case_ops
    from hsm.reports.models import Report
    from hsm.safecontacts.models import TrainingTopic
    from tests.reports.seed import seed_reports
    from tests.safecontacts.seed import make_contact

    seed_reports(1, "uk")
    report = db.session.scalars(sa.select(Report).order_by(Report.id.desc())).first()
    caseworker = make_user(("student_services", "uk"))
    case = case_ops.record_disclosure(caseworker, "uk", case_ops.Disclosure(
        channel="phone", disclosure="Walk disclosure.", disclosed_on=date(2026, 11, 2),
        responding_party_type="student"))
    contact = make_contact(stage="biography")
    topic = db.session.scalars(sa.select(TrainingTopic)).first()
    db.session.commit()
    return {"report_id": report.id, "case_id": case.id, "contact_id": contact.id,
            "topic_id": topic.id if topic else 1, "user_id": user.id,
            "assignment_id": user.roles[0].id, "letter_id": 1}


def _urls(app, rule, ids) -> list[str]:
    """The rule's URLs: real objects, and every name a ``<name>`` or ``<field>`` takes, and a
    NUL in a free path argument."""
    choices = {"centre": ["uk"], "name": sorted(ACTIONS), "field": list(ReportForm.ORDER),
               "token": ["tok\x00en"]}
    urls = [{}]
    converters = rule._converters  # noqa: SLF001
    for arg in rule.arguments:
        number = "integer" in type(converters[arg]).__name__.lower()
        values = ([ids.get(arg, 1)] if number else choices.get(arg, ["a\x00b"]))
        urls = [{**u, arg: v} for u in urls for v in values]
    with app.test_request_context():
        return [app.url_for(rule.endpoint, **u) for u in urls]


def _every_name() -> list[str]:
    """Every field name of every form, bare and with each prefix the pages use."""
    from flask import current_app

    names, prefixes = set(), {"assign", "handling", "reply", "note", "ack", CODES_PREFIX,
                              MFA_OFF_PREFIX, "t1", *ACTIONS}
    with current_app.test_request_context(), force_locale("en"):
        for form_class in FORM_CLASSES:
            names.update(_names(_build(form_class)))
    return sorted(names | {f"{p}-{n}" for p in prefixes for n in names} | {"from", "target",
                                                                           "current", "reason",
                                                                           "body", "active",
                                                                           "previewed"})


def _nothing_stored_holds_a_control_character():
    from hsm.audit import AuditEntry

    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if model is AuditEntry:
            continue  # its details are codes and ids, written by the app
        for row in db.session.scalars(sa.select(model)):
            for column in mapper.column_attrs:
                for value in _strings(getattr(row, column.key)):
                    assert not CONTROL.search(value), (model.__name__, column.key, value)


def test_every_post_route_answers_bad_characters_without_a_500(app, walker):
    client, user, sign_in = walker
    ids = _objects(user)
    names = _every_name()
    token_names = [n for n in names if n.endswith("csrf_token")]
    body = "&".join(f"{quote(name)}={BAD_WIRE}" for name in names if name not in token_names)
    posted, failures = 0, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods:
            continue
        for url in _urls(app, rule, ids):
            for htmx in (False, True):
                token = sign_in()  # a route may end the session (sign out, a new password)
                tokens = "&".join(f"{quote(n)}={quote(token)}" for n in token_names)
                headers = {"HX-Request": "true"} if htmx else {}
                response = client.post(url, data=f"{body}&{tokens}", headers=headers,
                                       content_type="application/x-www-form-urlencoded")
                posted += 1
                if response.status_code >= 500:
                    failures.append(f"POST {url} htmx={htmx} -> {response.status_code}")
    assert failures == []
    assert posted > 100
    db.session.rollback()
    _nothing_stored_holds_a_control_character()


def test_every_filter_in_a_query_string_answers_bad_characters_without_a_500(app, walker):
    client, user, sign_in = walker
    ids = _objects(user)
    query = "&".join(f"{name}={BAD_WIRE}" for name in QUERY_NAMES)
    failures, opened = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for url in _urls(app, rule, ids):
            for htmx in (False, True):
                sign_in()
                headers = {"HX-Request": "true"} if htmx else {}
                response = client.get(f"{url}?{query}", headers=headers)
                opened += 1
                if response.status_code >= 500:
                    failures.append(f"GET {url} htmx={htmx} -> {response.status_code}")
    assert failures == []
    assert opened > 50


def test_a_filter_with_a_nul_is_cleaned_before_it_reaches_the_database(app, walker):
    client, _user, _sign_in = walker
    response = client.get("/staff/audit?actor=%00&date_from=%00")
    assert response.status_code == 200
    response = client.get("/safe-contacts?badge=%00&language=%00&centre=%00")
    assert response.status_code == 200


# --- the outside test's two reproductions, exactly (a NUL in an otherwise valid form) --------


def _urlencoded(data: dict) -> str:
    return "&".join(f"{quote(k)}={quote(v) if k != 'department' and k != 'name' else v}"
                    for k, v in data.items())


def test_a_nul_in_the_safe_contact_application_is_dropped_not_a_500(client, db):
    from hsm.safecontacts.models import SafeContact
    from tests.safecontacts.conftest import application

    data = application(client, department="Library%00", name="Alex%00 Volunteer%ED%A0%80")
    response = client.post("/safe-contacts/apply", data=_urlencoded(data),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303  # sent: on to the page that says so
    contact = db.session.scalars(sa.select(SafeContact)).one()
    assert contact.department == "Library"
    assert contact.name == "Alex Volunteer%ED%A0%80"  # not UTF-8: kept as the text it was sent as


def test_a_nul_in_the_admins_invitation_is_refused_with_a_message(client, login_as, mail, db):
    from tests.helpers import csrf_token

    login_as("admin")
    token = csrf_token(client, "/staff/admin/users")
    body = _urlencoded({"csrf_token": token, "name": "%00", "email": "noor@example.org",
                        "role": "executive", "centre": ""})
    response = client.post("/staff/admin/users", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert b"Enter the person&#39;s name." in response.data or b"Enter the person" in response.data
    assert b"noor@example.org" in response.data  # what was typed is kept
