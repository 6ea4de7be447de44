"""Each centre's service targets: read from its data file, and checked like every other field."""

from __future__ import annotations

import pytest

from hsm.centres.validation import parse_centre
from tests.centres.helpers import SLUGS, shipped


def _problems(data, slug="uk"):
    return {(p.field, p.message) for p in parse_centre(data, slug, f"{slug}.toml")[1]}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_centre_has_service_targets_urgent_sooner(slug):
    centre, problems = parse_centre(shipped(slug), slug, f"{slug}.toml")
    assert not problems
    targets = centre.service_targets
    assert targets.report_acknowledgement_days(urgent=True) <= (
        targets.report_acknowledgement_days(urgent=False))
    assert targets.complaint_acknowledgement_days(urgent=True) <= (
        targets.complaint_acknowledgement_days(urgent=False))


def test_service_targets_are_checked():
    data = shipped("uk")
    data["service_targets"] |= {"report_acknowledgement": "two", "extra": 1,
                                "complaint_acknowledgement_urgent": 9}
    found = _problems(data)
    assert ("service_targets.report_acknowledgement",
            "must be a whole number of working days") in found
    assert ("service_targets.extra", "unknown field (a typo?)") in found
    assert ("service_targets.complaint_acknowledgement_urgent",
            "must not be later than complaint_acknowledgement") in found
    data["service_targets"] = {"report_acknowledgement": -1}
    found = _problems(data)
    assert ("service_targets.report_acknowledgement", "must be between 0 and 20") in found
    assert ("service_targets.complaint_acknowledgement", "missing") in found
    del data["service_targets"]
    assert ("service_targets", "missing") in _problems(data)
