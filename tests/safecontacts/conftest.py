"""Fixtures for the Safe Contact tests."""

from __future__ import annotations

import pytest

from tests.safecontacts.seed import add_biography, make_contact


@pytest.fixture
def contact_factory():
    return make_contact


@pytest.fixture
def biography_factory():
    return add_biography
