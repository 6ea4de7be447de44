"""The shared form kit (hsm/forms.py) and macro set (templates/macros/): one behaviour each."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from hsm.accounts.forms import InviteForm, LoginForm
from hsm.forms import EXPIRED, DateInput, Form, RealDate, Within, at_most
from hsm.i18n import force_locale
from hsm.reports.forms import ReportForm
from hsm.reports.queries import PAGE_SIZE
from hsm.safecontacts.forms import ApplicationForm, ChatForm
from tests.reports.seed import seed_reports

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SUMMARY = """{% import "macros/errors.html" as errors with context %}
{%- import "macros/fields.html" as fields with context %}
{{- errors.error_summary([form]) }}{{ fields.field(form[name]) }}"""

# One form of each kind of person, with what they typed. The token is one this server never
# signed: a page kept open for too long (or whose session ended) sends the same.
TYPED = [
    pytest.param(ReportForm, {"narrative": "It happened after the party <b>late</b>"},
                 "narrative", id="student report"),
    pytest.param(LoginForm, {"email": "staff.member@example.org", "password": "x"},
                 "email", id="staff sign-in"),
    pytest.param(InviteForm, {"name": "Ana Staff", "email": "ana@example.org"}, "name",
                 id="staff invitation"),
    pytest.param(ApplicationForm, {"name": "Sam Applicant", "job_title": "Librarian"}, "name",
                 id="Safe Contact application"),
    pytest.param(ChatForm, {"chat_staff_one": "A. Person"}, "chat_staff_one",
                 id="Safe Contact chat"),
]


class Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.mark.parametrize(("form_class", "typed", "name"), TYPED)
def test_an_expired_page_is_said_the_same_way_on_every_form_and_keeps_what_was_typed(
    app, form_class, typed, name
):
    data = MultiDict({"csrf_token": "IjEyMyI.expired.token", **typed})
    with app.test_request_context(method="POST", data=data), force_locale("en"):
        form = form_class()
        assert issubclass(form_class, Form)
        assert form.validate() is False
        assert form.csrf_expired
        assert form.csrf_token.errors == [EXPIRED]
        assert form[name].data == typed[name]  # kept
        html = render_template_string(SUMMARY, form=form, name=name)
    assert html.count(str(EXPIRED)) == 1
    assert 'class="error-summary"' in html and "autofocus" in html
    typed_back = typed[name].replace("<", "&lt;").replace(">", "&gt;")
    assert typed_back in html  # shown again in its box
    # The token is not a link to a field: it is said once, as a sentence.
    assert 'href="#csrf_token"' not in html


def test_a_valid_token_is_not_an_expired_page(app, client):
    with app.test_request_context(), force_locale("en"):
        form = LoginForm(formdata=MultiDict({"email": "a@example.org"}))
        form.csrf_token.data = form.csrf_token.current_token
        form.validate()
        assert not form.csrf_expired
        assert "csrf_token" not in form.errors
        html = render_template_string(SUMMARY, form=form, name="password")
    assert str(EXPIRED) not in html and "Enter your password." in html


def test_the_expired_message_is_translated(app):
    with app.test_request_context(), force_locale("nl"):
        assert "verlopen" in str(EXPIRED)
    with app.test_request_context(), force_locale("fr"):
        assert "expiré\u202f:" in str(EXPIRED)


def test_length_limits_are_in_our_words_in_every_area(app):
    with app.test_request_context(method="POST"), force_locale("en"):
        for form in (LoginForm(formdata=MultiDict({"email": "a" * 300, "password": "x"}),
                               meta={"csrf": False}),
                     ChatForm(formdata=MultiDict({"chat_staff_one": "a" * 201}),
                              meta={"csrf": False})):
            form.validate()
            field = form.email if isinstance(form, LoginForm) else form.chat_staff_one
            assert field.errors[0] in ("This must be 255 characters or fewer.",
                                       "This must be 200 characters or fewer.")
        assert at_most(5).message  # one message, from one place


class SchemeDateForm(Form):
    class Meta:
        csrf = False

    day = DateInput("Date", validators=[RealDate("Enter the date"),
                                        Within(date(2000, 1, 1), lambda: date(2027, 1, 1))])


@pytest.mark.parametrize(
    ("parts", "message"),
    [(("", "", ""), "Enter the date"),
     (("31", "2", "2026"), "Date: this date does not exist. Check the day and the month."),
     (("1", "1", "1999"), "Enter a date between 2000 and 2027."),
     (("27", "3", "2026"), None)],
)
def test_a_typed_date_is_real_given_and_within_the_areas_rule(app, parts, message):
    data = MultiDict(dict(zip(("day-day", "day-month", "day-year"), parts, strict=True)))
    with app.test_request_context(method="POST"), force_locale("en"):
        form = SchemeDateForm(formdata=data)
        assert form.validate() is (message is None)
        assert form.day.errors[:1] == ([message] if message else [])
        assert form.day.raw == dict(zip(("day", "month", "year"), parts, strict=True))


PAGER = """{% import "macros/pager.html" as pagers with context %}
{{- pagers.pager("Pages of reports", "#report-list", prev_url=prev, next_url=next,
                 status="Page 2 of 3") }}"""


def test_the_pager_is_plain_links_that_keep_the_filters(app, client):
    with app.test_request_context(), force_locale("en"):
        prev = "/staff/reports?centre=paris&status=open&page=1"
        next_ = "/staff/reports?centre=paris&status=open&page=3"
        html = render_template_string(PAGER, prev=prev, next=next_)
        alone = render_template_string(PAGER, prev=None, next=next_)
        none = render_template_string(PAGER, prev=None, next=None)
    tags = Tags(html)
    (nav,) = tags.all("nav")
    assert nav["aria-label"] == "Pages of reports"
    links = tags.all("a")
    assert [a["href"] for a in links] == [prev, next_]
    for a in links:
        # Without JavaScript the href is followed; htmx follows the same URL into the list.
        assert a["data-hx-get"] == a["href"] and a["data-hx-push-url"] == "true"
        assert a["data-hx-target"] == "#report-list"
        assert "centre=paris" in a["href"] and "status=open" in a["href"]
    assert "Previous page" in html and "Page 2 of 3" in html and "Next page" in html
    assert [a["href"] for a in Tags(alone).all("a")] == [next_]
    assert "Previous page" not in alone
    assert none.strip() == ""


def test_the_inbox_pager_links_work_without_javascript(client, login_as, app):
    """The real inbox: its paging links are real URLs that answer with the next page."""
    seed_reports(PAGE_SIZE + 1, "uk")
    login_as("student_services", "uk")
    first = client.get("/staff/reports?centre=uk").get_data(as_text=True)
    (link,) = [a for a in Tags(first).all("a") if a.get("rel") == "next"]
    assert "centre=uk" in link["href"] and link["data-hx-get"] == link["href"]
    second = client.get(link["href"].replace("&amp;", "&"))
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert "First page" in html and "Previous page" in html and "Next page" not in html


FORM = """{% import "macros/form.html" as forms with context %}
{%- call forms.form(url, "#target", method=method, disable="find button",
                    attrs={"id": "f", "class": "card"}) %}<button>Go</button>{% endcall %}"""


@pytest.mark.parametrize("method", ["post", "get"])
def test_the_form_pair_writes_one_action_for_both_ways(app, method):
    with app.test_request_context():
        html = render_template_string(FORM, url="/staff/reports/7/reply", method=method)
    (form,) = Tags(html).all("form")
    assert form["method"] == method
    assert form["action"] == form[f"data-hx-{method}"] == "/staff/reports/7/reply"
    assert form["data-hx-target"] == "#target" and form["data-hx-swap"] == "outerHTML"
    assert form["data-hx-disabled-elt"] == "find button"
    assert form["id"] == "f" and form["class"] == "card" and "novalidate" in form
    assert "<button>Go</button>" in html


def test_no_template_writes_an_htmx_form_by_hand():
    """Every htmx form comes from the form pair, so its two actions cannot differ."""
    by_hand = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "cases" or path.name == "form.html":
            continue
        for tag in re.findall(r"<form\b[^>]*>", path.read_text(encoding="utf-8")):
            if "data-hx-" in tag or " hx-" in tag:
                by_hand.append(f"{path.relative_to(TEMPLATES)}: {tag[:80]}")
    assert by_hand == []


def test_the_old_macro_sets_are_gone():
    for old in ("accounts/_forms.html", "safecontacts/_forms.html", "reports/_macros.html"):
        assert not (TEMPLATES / old).exists()


def test_a_list_says_what_it_found_and_announces_it_only_after_a_swap(app):
    found = """{% import "macros/pager.html" as pagers with context %}
{{- pagers.found("3 reports", "inbox-announce", "report-list__count", announce) }}"""
    with app.test_request_context():
        page = render_template_string(found, announce=False)
        swapped = render_template_string(found, announce=True)
    assert '<p class="report-list__count">3 reports</p>' in page and "oob" not in page
    (region,) = Tags(swapped).all("div")
    assert region == {"id": "inbox-announce", "data-hx-swap-oob": "innerHTML"}
