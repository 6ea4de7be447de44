"""Fixtures for the Safe Contact tests."""

from __future__ import annotations

import re

import pytest

from tests.safecontacts.seed import add_biography, make_contact


@pytest.fixture
def contact_factory():
    return make_contact


@pytest.fixture
def biography_factory():
    return add_biography


def csrf(client) -> str:
    """A CSRF token for this client's session (read from a page that renders one)."""
    html = client.get("/safe-contacts/apply").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


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
