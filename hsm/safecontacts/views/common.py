"""The Safe Contact blueprint, its shared helpers and the labels its templates use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint

from hsm.i18n import get_locale
from hsm.safecontacts import operations, pipeline
from hsm.safecontacts.biography import render_biography
from hsm.safecontacts.forms import (
    DAY_LABELS,
    MEETING_LABELS,
    STAFF_TYPE_LABELS,
    language_name,
)
from hsm.safecontacts.models import TrainingTopic

bp = Blueprint("safecontacts", __name__)

STAFF = "/staff/safe-contacts"
MISSED_WINDOW = timedelta(days=365)


def today() -> date:
    return datetime.now(UTC).date()


def topics() -> list[TrainingTopic]:
    """Every topic; the four starting ones are created the first time EDI looks (the
    request's commit point saves them)."""
    return operations.ensure_default_topics()


def locale() -> str:
    return str(get_locale())


@bp.context_processor
def scheme_labels():
    return {
        "sc_stage_labels": pipeline.STAGE_LABELS,
        "sc_side_stages": pipeline.SIDE_STATES,
        "sc_blocker_labels": pipeline.BLOCKER_LABELS,
        "sc_day_labels": DAY_LABELS,
        "sc_staff_types": STAFF_TYPE_LABELS,
        "sc_meeting_labels": MEETING_LABELS,
        "sc_language_name": language_name,
        "sc_render_biography": render_biography,
    }
