"""Fixtures for the Safe Contact tests."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from tests.helpers import csrf_token
from tests.safecontacts.seed import add_biography, make_contact


@pytest.fixture
def contact_factory():
    return make_contact


@pytest.fixture
def biography_factory():
    return add_biography


def csrf(client) -> str:
    """A CSRF token for this client's session (read from a page that renders one)."""
    return csrf_token(client, "/safe-contacts/apply")


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def application(client, **overrides) -> dict:
    """A complete, valid application form (override any field)."""
    data = {
        "csrf_token": csrf(client),
        "name": "Alex Volunteer",
        "email": "alex.volunteer@example.org",
        "job_title": "Librarian",
        "department": "Library",
        "centre": "uk",
        "staff_type": "professional_services",
        "statement": words(170),
        "line_manager_permission": "yes",
        "specialist_interest": "no",
        "gender": "",
        "ethnic_group": "",
        "disability": "",
        "sexual_orientation": "",
        "religion": "",
    }
    data.update(overrides)
    return data


class _Forms(HTMLParser):
    """Each <form> on a page: its action and, in order, the fields and buttons a browser sends."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._button: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": [], "buttons": []})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio"):
            self.forms[-1]["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "input" and a.get("name") and "checked" in a:
            self.forms[-1]["fields"].append((a["name"], a.get("value") or "on"))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self.forms[-1]["fields"].append(self._textarea)
        elif tag == "button":
            self._button = {"name": a.get("name"), "value": a.get("value") or "", "label": ""}
            self.forms[-1]["buttons"].append(self._button)

    def handle_data(self, data):
        if self._button is not None:
            self._button["label"] += data
        elif self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None
        elif tag == "textarea":
            self._textarea = None


def press(client, html: str, label: str, headers=None, **typed):
    """Submit the form holding the button ``label`` exactly as a browser without JavaScript.

    Every field the page rendered is sent, in page order (duplicated names included), with
    ``typed`` values replacing what a person would type, then the pressed button's own value.
    """
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        for button in form["buttons"]:
            if button["label"].strip() == label:
                data = MultiDict(
                    [(name, typed.get(name, value)) for name, value in form["fields"]]
                )
                if button["name"]:
                    data.add(button["name"], button["value"])
                return client.post(form["action"], data=data, headers=headers or {})
    raise AssertionError(f"no button {label!r} on the page")


def approve(client, person):
    """EDI opens the biography page and presses the approve button on it."""
    page = client.get(f"/staff/safe-contacts/{person.id}/biography").get_data(as_text=True)
    return press(client, page, "Approve and publish this version")
