"""What staff hear and where focus goes: error summaries, live regions that stay on the page."""

import re

import pytest
import sqlalchemy as sa

from hsm.extensions import db
from hsm.reports.models import Report
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.reports.seed import seed_reports

HX = {"HX-Request": "true"}


def title(html):
    return re.search(r"<title>([^<]*)</title>", html).group(1)


@pytest.fixture
def handled(client, login_as, make_report):
    """A report at Amsterdam, its URL, and the headers of a signed-in caseworker there."""
    report, _ = make_report("amsterdam")
    login_as("student_services", "amsterdam")
    url = f"/staff/reports/{report.id}"
    return report, url, {"X-CSRFToken": csrf_token(client, url)}


# (action, posted data, message by the field, where the summary link goes)
FAILURES = [
    ("assign", {"assign-caseworker": "999999"}, "Choose a caseworker from the list.",
     "#assign-caseworker"),
    ("handling", {"handling-handling": "delete"}, "Choose one of the options.",
     "#handling-handling-0"),
    ("reply", {"reply-body": "  "}, "Write your reply first.", "#reply-body"),
    ("note", {"note-body": ""}, "Write the note first.", "#note-body"),
]


@pytest.mark.parametrize(("action", "data", "message", "anchor"), FAILURES)
def test_a_whole_page_with_a_mistake_has_the_error_summary(client, handled, action, data,
                                                           message, anchor):
    _report, url, headers = handled
    response = client.post(f"{url}/{action}", data=data, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert title(html).startswith("Error: ")
    summary = html[html.index('class="error-summary"'):html.index('id="report-detail"')]
    assert "There is a problem" in summary and "autofocus" in summary
    assert f'<a href="{anchor}">{message}</a>' in summary
    assert f'id="{anchor[1:]}"' in html
    assert "Nothing has been saved yet" in summary
    # The message by the field is still there too.
    assert f'<span class="visually-hidden">Error:</span> {message}' in html
    # Only the summary takes focus on a whole page.
    assert html.count("autofocus") == 1


@pytest.mark.parametrize(("action", "data", "message", "anchor"), FAILURES)
def test_an_htmx_mistake_puts_focus_on_the_field(client, handled, action, data, message,
                                                 anchor):
    _report, url, headers = handled
    html = client.post(f"{url}/{action}", data=data, headers=headers | HX).get_data(as_text=True)
    # The form alone comes back: no other box on the page is replaced.
    assert re.match(rf'\s*<form [^>]*id="{action}-form"', html)
    assert html.count("<form") == 1 and 'id="report-detail"' not in html
    assert "error-summary" not in html and "data-hx-swap-oob" not in html
    [focused] = re.findall(r"<[^>]*\bautofocus\b[^>]*>", html)
    assert f'id="{anchor[1:]}"' in focused
    # Its message is read with it (a radio group: through its fieldset).
    field = html[html.index(f'id="{action}-form"'):html.index(focused)]
    assert 'aria-describedby="' in field + focused and "-error" in field + focused
    assert message in html


def test_a_good_page_title_has_no_error(client, handled):
    _report, url, _headers = handled
    html = client.get(url).get_data(as_text=True)
    assert not title(html).startswith("Error")
    assert '<div id="report-announce" class="report-announce" role="status"></div>' in html
    for action in ("ack", "assign", "handling", "reply", "note"):
        assert f'id="{action}-form"' in html and f'id="{action}-submit"' in html


def test_an_htmx_action_is_announced_outside_the_swap_and_keeps_focus(client, handled):
    _report, url, headers = handled
    colleague = make_user(("student_services", "amsterdam"))
    steps = [
        ("reply", {"reply-body": "We are here for you."}, "Your reply is sent.",
         'id="reply-submit"'),
        ("note", {"note-body": "Call back Monday"}, "The internal note is added.",
         'id="note-submit"'),
        ("assign", {"assign-caseworker": str(colleague.id)}, "The caseworker is assigned.",
         'id="assign-submit"'),
        ("handling", {"handling-handling": "support_requested"},
         "How the report is handled is saved.", 'id="handling-submit"'),
        # The acknowledge button is gone afterwards: focus goes to the actions heading.
        ("acknowledge", {}, "The report is acknowledged.", 'id="actions-title"'),
    ]
    for action, data, said, focus in steps:
        if action == "acknowledge":
            db.session.execute(sa.update(Report).values(status="new"))
            db.session.commit()
        html = client.post(f"{url}/{action}", data=data, headers=headers | HX).get_data(
            as_text=True)
        # Only the form used comes back (the acknowledge button is gone, so nothing), with
        # the summary and the thread out of band: the other forms are never replaced.
        form_id = {"acknowledge": "ack"}.get(action, action)
        if action == "acknowledge":
            assert html.strip().startswith('<div id="report-summary" data-hx-swap-oob="true"')
        else:
            assert re.match(rf'\s*<form [^>]*id="{form_id}-form"', html)
        assert html.count("<form") == (0 if action == "acknowledge" else 1)
        assert 'id="report-detail"' not in html
        assert '<div id="report-summary" data-hx-swap-oob="true">' in html
        assert ('<section id="report-thread" aria-labelledby="thread-title" '
                'data-hx-swap-oob="true">') in html
        oob = re.search(r'<div id="report-announce" data-hx-swap-oob="innerHTML">(.*?)</div>', html)
        assert oob and said in oob.group(1)
        assert 'role="status"' not in html  # the region itself stays on the page
        [focused] = re.findall(r"<[^>]*\bautofocus\b[^>]*>", html)
        assert focus in focused


def test_without_javascript_the_action_is_said_after_the_redirect(client, handled):
    _report, url, headers = handled
    response = client.post(f"{url}/note", data={"note-body": "Seen"}, headers=headers)
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "The internal note is added." in html
    assert "autofocus" not in html


def test_the_inbox_count_is_announced_from_a_region_that_stays(client, login_as):
    seed_reports(3, "uk")
    login_as("student_services", "uk")
    page = client.get("/staff/reports").get_data(as_text=True)
    assert '<div id="inbox-announce" class="visually-hidden" role="status"></div>' in page
    assert page.index('id="inbox-announce"') < page.index('id="report-list"')
    assert "data-hx-swap-oob" not in page and '<p class="report-list__count">3 reports</p>' in page
    html = client.get("/staff/reports?flag=anonymous", headers=HX).get_data(as_text=True)
    assert html.strip().startswith('<div id="report-list"')
    assert '<div id="inbox-announce" data-hx-swap-oob="innerHTML">1 report</div>' in html
    assert 'role="status"' not in html
