"""What a statistics snapshot publishes, and how it is built from aggregate counts.

Plain code: ``build`` takes counts already grouped by centre and month (``queries`` gets them
with a handful of GROUP BY queries) and returns the snapshot as it is stored: every figure,
for every period and area, already suppressed by ``disclosure.protect`` in one system, so the
tables and periods published together are suppressed consistently.

- **Periods.** The academic year runs from September to August; its terms are autumn
  (September to December), spring (January to March) and summer (April to August). A snapshot
  made through a month publishes that academic year to date, every term begun by then (to
  date) and every month. The finest grain is a month: nothing is stored by day.
- **Areas.** Every centre and the whole group. Sanctions are published for the group only.
- **Sums that tie the counts** (``sums``): a table's total is the sum of its rows (where the
  rows exclude each other), the anonymity reasons add up to the anonymous reports, the group is
  the sum of its centres, a term the sum of its months and a year the sum of its terms.
  Measures in force are counted at the end of a period, so their periods do not add up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from hsm.cases.terms import STAGES, Channel, DeadlineKind, MeasureKind
from hsm.letters.terms import SanctionKind
from hsm.reports import rules
from hsm.stats import disclosure

GROUP = "group"
SCHEMA = 1


# --- periods ---------------------------------------------------------------------------------

Month = str  # "2026-09"


def month_key(day: date) -> Month:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: Month) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def academic_year_of(day: date) -> int:
    """The year in which the academic year holding ``day`` began (September)."""
    return day.year if day.month >= 9 else day.year - 1


TERMS = (("autumn", (9, 10, 11, 12)), ("spring", (1, 2, 3)), ("summer", (4, 5, 6, 7, 8)))


@dataclass(frozen=True)
class Period:
    key: str  # "year", "autumn", "spring", "summer" or a month "2026-10"
    kind: str  # "year", "term" or "month"
    months: tuple[Month, ...]


def months_of_year(year: int) -> tuple[Month, ...]:
    return tuple(f"{year + (m < 9):04d}-{m:02d}" for m in (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8))


def periods_through(through: date) -> list[Period]:
    """The periods a snapshot made through the month of ``through`` publishes."""
    year = academic_year_of(through)
    last = month_key(through)
    months = [m for m in months_of_year(year) if m <= last]
    periods = [Period("year", "year", tuple(months))]
    for name, numbers in TERMS:
        inside = tuple(m for m in months if int(m[5:]) in numbers)
        if inside:
            periods.append(Period(name, "term", inside))
    periods += [Period(m, "month", (m,)) for m in months]
    return periods


def is_set_date(through: date) -> bool:
    """Snapshots are published by the schedule through the last month of each term."""
    return any(through.month == numbers[-1] for _name, numbers in TERMS)


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    items: tuple[str, ...]
    #: The count its rows add up to: a (figure, item) of this snapshot, or None (the rows do
    #: not exclude each other, or there is no total to publish).
    total: tuple[str, str] | None = None
    #: Counted at the end of a period (a stock): periods do not add up.
    stock: bool = False
    group_only: bool = False


REPORTS_TOTAL = ("totals", "reports")
CASES_TOTAL = ("totals", "cases")
DISCLOSURES_TOTAL = ("totals", "disclosures")
OUTCOMES = ("breach", "no_breach", "dismissed_with_support", "informal_resolution")
SERVICE_DEADLINES = (DeadlineKind.REVIEW_ACKNOWLEDGEMENT, DeadlineKind.REVIEW_RESPONSE,
                     DeadlineKind.MEASURE_REVIEW, DeadlineKind.COMPLETION_LETTER)

FIGURES: tuple[Figure, ...] = (
    Figure("totals", ("reports", "disclosures", "cases")),
    Figure("identity", ("named", "anonymous"), total=REPORTS_TOTAL),
    Figure("about", ("me", "someone_else"), total=REPORTS_TOTAL),
    Figure("anonymity_reason", rules.ANONYMITY_REASONS, total=("identity", "anonymous")),
    Figure("category", rules.CATEGORIES),  # a report may name several
    Figure("where", rules.WHERE, total=REPORTS_TOTAL),
    Figure("respondent", rules.RESPONDENTS, total=REPORTS_TOTAL),
    Figure("when", ("recent", "historic"), total=REPORTS_TOTAL),
    Figure("channel", tuple(Channel), total=DISCLOSURES_TOTAL),
    Figure("stage", tuple(STAGES), total=CASES_TOTAL),
    Figure("outcome", OUTCOMES),
    Figure("sanction", tuple(SanctionKind), group_only=True),
    Figure("measure", tuple(MeasureKind), stock=True),
)
FIGURE_BY_KEY = {f.key: f for f in FIGURES}


# --- what the queries hand over --------------------------------------------------------------


@dataclass
class Counts:
    """Aggregates by centre and month; nothing identifies a report or a case."""

    #: (figure, centre, month, item) -> count, for every figure that is not a stock
    flows: Counter = field(default_factory=Counter)
    #: (centre, kind, start month, lifted month or None) -> measures
    measures: Counter = field(default_factory=Counter)
    #: (centre, month received, working days to acknowledgement) -> reports
    acknowledgements: Counter = field(default_factory=Counter)
    #: (centre, month due, kind, met) -> deadlines done (met on time, or missed)
    deadlines: Counter = field(default_factory=Counter)


def report_row(counts: Counts, centre: str, month: Month, n: int, *, anonymous: bool,
               third_party: bool, where: str, respondent: str, when_kind: str,
               anonymity_reason: str | None) -> None:
    """Add ``n`` reports that share these answers (one row of the GROUP BY)."""
    flows = counts.flows
    flows[("totals", centre, month, "reports")] += n
    flows[("identity", centre, month, "anonymous" if anonymous else "named")] += n
    flows[("about", centre, month, "someone_else" if third_party else "me")] += n
    if anonymous:
        reason = anonymity_reason if anonymity_reason in rules.ANONYMITY_REASONS else "other"
        flows[("anonymity_reason", centre, month, reason)] += n
    if where in rules.WHERE:
        flows[("where", centre, month, where)] += n
    respondent = respondent if respondent in rules.RESPONDENTS else "unknown"
    flows[("respondent", centre, month, respondent)] += n
    flows[("when", centre, month, "historic" if when_kind == "long_ago" else "recent")] += n


def category_row(counts: Counts, centre: str, month: Month, n: int,
                 categories: Iterable[str]) -> None:
    for category in set(categories or ()):
        if category in rules.CATEGORIES:
            counts.flows[("category", centre, month, category)] += n


# --- building --------------------------------------------------------------------------------


def _areas(centres: Iterable[str]) -> list[str]:
    return [GROUP, *centres]


def _cell_key(figure: str, period: str, area: str, item: str) -> tuple[str, str, str, str]:
    return (figure, period, area, item)


def _raw_values(counts: Counts, centres: list[str], periods: list[Period]) -> dict:
    values: dict[tuple, int] = {}
    in_force: Counter = Counter()  # (centre, kind, month) -> measures in force at its end
    months = periods[0].months
    for (centre, kind, start, lifted), n in counts.measures.items():
        for month in months:
            if start <= month and (lifted is None or lifted > month):
                in_force[(centre, kind, month)] += n
    for figure in FIGURES:
        areas = [GROUP] if figure.group_only else _areas(centres)
        for period in periods:
            for area in areas:
                inside = centres if area == GROUP else [area]
                for item in figure.items:
                    if figure.stock:
                        month = period.months[-1]
                        n = sum(in_force[(c, item, month)] for c in inside)
                    else:
                        n = sum(counts.flows[(figure.key, c, m, item)]
                                for c in inside for m in period.months)
                    values[_cell_key(figure.key, period.key, area, item)] = n
    return values


def sums(centres: list[str], periods: list[Period]) -> list[disclosure.Sum]:
    """Every sum that ties the counts of one snapshot together."""
    result: list[disclosure.Sum] = []
    terms = [p for p in periods if p.kind == "term"]
    for figure in FIGURES:
        areas = [GROUP] if figure.group_only else _areas(centres)
        for period in periods:
            for area in areas:
                if figure.total is not None:
                    total_figure, total_item = figure.total
                    result.append(disclosure.Sum(
                        _cell_key(total_figure, period.key, area, total_item),
                        tuple(_cell_key(figure.key, period.key, area, i) for i in figure.items)))
        for item in figure.items:
            for period in periods:
                if not figure.group_only:
                    result.append(disclosure.Sum(
                        _cell_key(figure.key, period.key, GROUP, item),
                        tuple(_cell_key(figure.key, period.key, c, item) for c in centres)))
            if figure.stock:
                continue
            for area in areas:
                year = periods[0]
                result.append(disclosure.Sum(
                    _cell_key(figure.key, year.key, area, item),
                    tuple(_cell_key(figure.key, t.key, area, item) for t in terms)))
                for term in terms:
                    result.append(disclosure.Sum(
                        _cell_key(figure.key, term.key, area, item),
                        tuple(_cell_key(figure.key, m, area, item) for m in term.months)))
    return result


def _service(counts: Counts, centres: list[str], periods: list[Period],
             targets: Mapping[str, int]) -> dict:
    service: dict[str, dict[str, dict]] = {}
    for period in periods:
        months = set(period.months)
        service[period.key] = {}
        for area in _areas(centres):
            inside = set(centres if area == GROUP else [area])
            days: Counter = Counter()
            for (centre, month, working_days), n in counts.acknowledgements.items():
                if centre in inside and month in months:
                    days[working_days] += n
            done: Counter = Counter()
            met: Counter = Counter()
            for (centre, month, kind, on_time), n in counts.deadlines.items():
                if centre in inside and month in months:
                    done[kind] += n
                    met[kind] += n if on_time else 0
            area_targets = {targets[c] for c in inside if c in targets}
            service[period.key][area] = {
                "ack_median": disclosure.median_of(days),
                "ack_target": area_targets.pop() if len(area_targets) == 1 else None,
                "met": {str(kind): disclosure.rate(met[kind], done[kind])
                        for kind in SERVICE_DEADLINES},
                "met_all": disclosure.rate(sum(met.values()), sum(done.values())),
            }
    return service


def build(through: date, centres: Iterable[str], counts: Counts,
          targets: Mapping[str, int]) -> dict:
    """The snapshot through the month of ``through``, suppressed, ready to store as JSON.

    ``targets``: each centre's target for the first acknowledgement, in working days.
    """
    centres = sorted(centres)
    periods = periods_through(through)
    values = _raw_values(counts, centres, periods)
    cells = disclosure.protect(values, sums(centres, periods))
    figures: dict[str, dict[str, dict[str, dict[str, list]]]] = {}
    for (figure, period, area, item), cell in cells.items():
        by_area = figures.setdefault(figure, {}).setdefault(period, {}).setdefault(area, {})
        by_area[item] = [str(cell.state), cell.value]
    return {
        "schema": SCHEMA,
        "through": month_key(through),
        "academic_year": academic_year_of(through),
        "centres": centres,
        "periods": [{"key": p.key, "kind": p.kind, "months": list(p.months)} for p in periods],
        "figures": figures,
        "service": _service(counts, centres, periods, targets),
    }


def acknowledgement_days(rows: Iterable[tuple[str, date, date, int]],
                         working_days: Callable[[str, date, date], int]) -> Counter:
    """(centre, received on, acknowledged on, n) -> (centre, month, working days) -> n."""
    result: Counter = Counter()
    for centre, received, acknowledged, n in rows:
        result[(centre, month_key(received), working_days(centre, received, acknowledged))] += n
    return result


def cells_of(snapshot: Mapping, figure: str, period: str,
             area: str) -> list[tuple[str, str, int | None]]:
    """One table of a stored snapshot: (item, state, value) in the figure's order."""
    by_item = snapshot["figures"].get(figure, {}).get(period, {}).get(area, {})
    spec = FIGURE_BY_KEY[figure]
    return [(item, *by_item[item]) for item in spec.items if item in by_item]


# --- reading a stored snapshot ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    item: str
    state: str  # disclosure.State
    value: int | None


@dataclass(frozen=True)
class Table:
    figure: str
    rows: tuple[Row, ...]
    total: Row | None


def period_keys(data: Mapping) -> list[str]:
    return [p["key"] for p in data["periods"]]


def areas_of(data: Mapping) -> list[str]:
    return _areas(data["centres"])


def table(data: Mapping, figure: str, period: str, area: str) -> Table:
    """One figure of a stored snapshot, for a period and an area (sanctions: the group)."""
    spec = FIGURE_BY_KEY[figure]
    area = GROUP if spec.group_only else area
    stored = data["figures"][figure][period][area]
    rows = tuple(Row(item, *stored[item]) for item in spec.items)
    total = None
    if spec.total is not None:
        total_figure, total_item = spec.total
        total = Row(total_item, *data["figures"][total_figure][period][area][total_item])
    return Table(figure, rows, total)


def tables(data: Mapping, period: str, area: str) -> list[Table]:
    return [table(data, f.key, period, area) for f in FIGURES]
