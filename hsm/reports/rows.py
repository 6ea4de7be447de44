"""The inbox's rows, each made once and kept by what it shows.

A row's markup is made from its ``InboxRow`` alone (reference, centre, status, urgency, flags,
when it came in, the caseworker's name) and the language, so the key is that row's values
and the language: a report that changes is a new key, and nothing needs invalidating. It
shows nothing about the viewer (the list itself is chosen by their scope, before this), and
no narrative or party is in it. Old rows are dropped as new ones come in.
"""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from hsm.i18n import get_locale
from hsm.reports.queries import InboxRow
from hsm.stats.memo import SnapshotCache

ROWS = SnapshotCache(4096)


def inbox_row(report: InboxRow) -> Markup:
    """The ``<tr>`` of one report in the inbox."""
    key = (str(get_locale()), report)
    return Markup(ROWS.get(key, lambda: render_template(  # noqa: S704 - our own template
        "reports/_row.html", report=report)))
