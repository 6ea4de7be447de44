"""The words of the statistics: each figure's title and its rows, in the reader's language.

Where another area already names a code (report answers, stages, channels, measures,
sanctions), its label is used as it is, so the board reads the words the staff read.
"""

from __future__ import annotations

from hsm.cases.terms import (
    CHANNEL_LABELS,
    CLOSURE_REASON_LABELS,
    DEADLINE_KIND_LABELS,
    MEASURE_KIND_LABELS,
    PARTY_TYPE_LABELS,
    STAGE_LABELS,
    ClosureReason,
)
from hsm.centres.registry import get_centre
from hsm.i18n import _, _l, format_date, get_locale
from hsm.letters.terms import SANCTION_LABELS
from hsm.reports import labels as report_labels
from hsm.stats import snapshot as plan

SECTIONS = (
    (_l("Reports received"), ("totals", "identity", "about", "anonymity_reason", "category",
                              "where", "respondent", "when", "channel")),
    (_l("Cases"), ("stage", "outcome", "sanction", "measure")),
)

TITLES = {
    "totals": _l("Reports, disclosures and cases"),
    "identity": _l("Reports: named or anonymous"),
    "about": _l("Reports: made by the person it happened to, or by a third party"),
    "anonymity_reason": _l("Why people chose to stay anonymous"),
    "category": _l("Reports by concern (a report may name more than one)"),
    "where": _l("Where it happened"),
    "respondent": _l("Who the responding party is"),
    "when": _l("Recent or historic"),
    "channel": _l("Disclosures recorded by staff, by how they were made"),
    "stage": _l("Cases opened, by the stage they have reached"),
    "outcome": _l("Outcomes"),
    "sanction": _l("Sanctions, by type (whole group only)"),
    "measure": _l("Precautionary measures in force at the end of the period"),
}

ITEMS: dict[str, dict[str, object]] = {
    "totals": {"reports": _l("Reports received"),
               "disclosures": _l("Disclosures recorded by staff"),
               "cases": _l("Cases opened")},
    "identity": {"named": _l("Named reports"), "anonymous": _l("Anonymous reports")},
    "about": {"me": _l("By the person it happened to"),
              "someone_else": _l("By a third party, about someone else")},
    "anonymity_reason": report_labels.ANONYMITY_REASONS,
    "category": report_labels.CATEGORIES,
    "where": report_labels.WHERE,
    "respondent": PARTY_TYPE_LABELS,
    "when": {"recent": _l("Recent or still happening"),
             "historic": _l("Historic: a long time ago")},
    "channel": CHANNEL_LABELS,
    "stage": STAGE_LABELS,
    "outcome": {"breach": _l("Breach of the policy found"),
                "no_breach": _l("No breach of the policy found"),
                "dismissed_with_support": CLOSURE_REASON_LABELS[
                    ClosureReason.DISMISSED_WITH_SUPPORT],
                "informal_resolution": CLOSURE_REASON_LABELS[ClosureReason.INFORMAL_RESOLUTION]},
    "sanction": SANCTION_LABELS,
    "measure": MEASURE_KIND_LABELS,
}

TOTAL_LABEL = _l("Total")
DEADLINE_LABELS = DEADLINE_KIND_LABELS
FEWER = _l("fewer than 5")
HIDDEN = _l("not shown")
PERIOD_KINDS = {"year": _l("Academic year"), "term": _l("Term"), "month": _l("Month")}
TERMS = {"autumn": _l("Autumn term"), "spring": _l("Spring term"), "summer": _l("Summer term")}
GROUP = _l("Whole group")
ALL_DEADLINES = _l("All of these deadlines")
ACK_MEDIAN = _l("Median working days to the first acknowledgement of a report")
ACK_TARGET = _l("Target, in working days")


def period_label(data, key: str) -> str:
    """'Academic year 2025/26, to November 2025', 'Autumn term 2025, to …', 'October 2025'."""
    period = {p["key"]: p for p in data["periods"]}[key]
    last = format_date(plan.month_start(period["months"][-1]), "LLLL y")
    if period["kind"] == "month":
        return last
    if period["kind"] == "term":
        first = plan.month_start(period["months"][0])
        return _("%(term)s %(year)s, to %(month)s", term=TERMS[key], year=first.year,
                 month=last)
    year = data["academic_year"]
    return _("Academic year %(start)s/%(end)s, to %(month)s", start=year,
             end=f"{(year + 1) % 100:02d}", month=last)


def area_label(area: str) -> str:
    if area == plan.GROUP:
        return str(GROUP)
    centre = get_centre(area)
    return centre.name_for(str(get_locale())) if centre else area
