"""A published snapshot as CSV, XLSX and a printable PDF board pack, and as chart bars.

Every export reads the stored snapshot only, so it carries exactly the suppression of the
page: a suppressed count is written as the words the page shows ("fewer than 5", "not
shown"), never as a number. Labels are in the reader's language; codes stay beside them so a
spreadsheet can be sorted and compared across languages. The PDF goes through the letters'
WeasyPrint set-up (static files only, tagged PDF/UA).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import xlsxwriter
from flask import render_template

from hsm.config import STATIC_DIR
from hsm.i18n import _, force_locale, get_locale
from hsm.letters.rendering import html_to_pdf
from hsm.stats import charts, labels
from hsm.stats import snapshot as plan
from hsm.stats.disclosure import State
from hsm.stats.models import StatisticsSnapshot

KINDS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STYLESHEET = "css/statistics-print.css"


def shown(state: str, value: int | None) -> str:
    """A count as the page shows it."""
    if state == State.FEWER:
        return str(labels.FEWER)
    if state == State.HIDDEN:
        return str(labels.HIDDEN)
    return str(value)


def rate_text(value: float | None, suffix: str = "%") -> str:
    return str(labels.HIDDEN) if value is None else f"{value:g}{suffix}"


def bars(table: plan.Table) -> list[charts.Bar]:
    items = labels.ITEMS[table.figure]
    return [charts.Bar(str(items[row.item]), row.value if row.state == State.SHOWN else None,
                       shown(row.state, row.value)) for row in table.rows]


def service_bars(service: dict) -> list[charts.Bar]:
    rows = [(str(labels.DEADLINE_LABELS[k]), v) for k, v in service["met"].items()]
    rows.append((str(labels.ALL_DEADLINES), service["met_all"]))
    return [charts.Bar(label, value, rate_text(value)) for label, value in rows]


HEADER = ("period", "period_name", "area", "area_name", "figure", "figure_name", "item",
          "item_name", "count")


def rows(snapshot: StatisticsSnapshot) -> Iterator[tuple]:
    """Every figure of every period and area, as shown, one count a row."""
    data = snapshot.figures
    for period in plan.period_keys(data):
        for area in plan.areas_of(data):
            for figure in plan.FIGURES:
                if figure.group_only and area != plan.GROUP:
                    continue
                table = plan.table(data, figure.key, period, area)
                items = labels.ITEMS[figure.key]
                for row in table.rows:
                    yield (period, labels.period_label(data, period), area, labels.area_label(area),
                           figure.key, str(labels.TITLES[figure.key]), row.item,
                           str(items[row.item]), shown(row.state, row.value))


SERVICE_HEADER = ("period", "area", "measure", "measure_name", "value")


def service_rows(snapshot: StatisticsSnapshot) -> Iterator[tuple]:
    data = snapshot.figures
    for period in plan.period_keys(data):
        for area in plan.areas_of(data):
            service = data["service"][period][area]
            yield (period, area, "ack_median", str(labels.ACK_MEDIAN),
                   rate_text(service["ack_median"], ""))
            yield (period, area, "ack_target", str(labels.ACK_TARGET),
                   rate_text(service["ack_target"], ""))
            for kind, value in service["met"].items():
                yield (period, area, f"met_{kind}", str(labels.DEADLINE_LABELS[kind]),
                       rate_text(value))
            yield (period, area, "met_all", str(labels.ALL_DEADLINES),
                   rate_text(service["met_all"]))


def to_csv(snapshot: StatisticsSnapshot) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows(snapshot))
    writer.writerow(())
    writer.writerow(SERVICE_HEADER)
    writer.writerows(service_rows(snapshot))
    # A byte order mark, so that spreadsheet programs read the accents right.
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(snapshot: StatisticsSnapshot) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for title, header, lines in ((_("Figures"), HEADER, rows(snapshot)),
                                 (_("Service"), SERVICE_HEADER, service_rows(snapshot))):
        sheet = book.add_worksheet(title[:31])
        sheet.write_row(0, 0, header, bold)
        for index, line in enumerate(lines, start=1):
            for column, value in enumerate(line):
                # Shown counts are numbers; every other cell is text.
                if header[column] == "count" and value.isdigit():
                    sheet.write_number(index, column, int(value))
                else:
                    sheet.write_string(index, column, value)
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def board_pack_html(snapshot: StatisticsSnapshot, *, for_pdf: bool) -> str:
    """The board pack: the academic year to date, for the group and each centre."""
    data = snapshot.figures
    stylesheet = (STATIC_DIR / STYLESHEET).resolve().as_uri() if for_pdf else STYLESHEET
    sections = [(area, plan.tables(data, "year", area), data["service"]["year"][area])
                for area in plan.areas_of(data)]
    return render_template("stats/board_pack.html", snapshot=snapshot, data=data,
                           language=str(get_locale()),
                           sections=sections, stylesheet=stylesheet, shown=shown,
                           rate_text=rate_text, labels=labels, area_label=labels.area_label,
                           period_label=labels.period_label, figures=plan.FIGURE_BY_KEY)


def to_pdf(snapshot: StatisticsSnapshot) -> bytes:
    with force_locale(str(get_locale())):
        return html_to_pdf(board_pack_html(snapshot, for_pdf=True))


def render(kind: str, snapshot: StatisticsSnapshot) -> tuple[bytes, str]:
    body = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[kind](snapshot)
    return body, KINDS[kind]
