"""The statistics page's two forms: what to look at (GET), and publishing a snapshot (POST)."""

from __future__ import annotations

from wtforms import HiddenField, SelectField

from hsm.forms import Form
from hsm.i18n import _l


class ViewForm(Form):
    """Snapshot, period and area, from the query string. Nothing is changed, so no token;
    an answer that was not offered falls back to the first choice (never an error page)."""

    class Meta:
        csrf = False

    snapshot = SelectField(_l("Snapshot"))
    period = SelectField(_l("Period"))
    area = SelectField(_l("Centre"))

    def chosen(self, name: str) -> str:
        field = self[name]
        offered = [choice[0] for choice in field.choices]
        return field.data if field.data in offered else offered[0]


class PublishForm(Form):
    """Publish the snapshot through the month the page showed (``through``, 'YYYY-MM')."""

    through = HiddenField()
