"""Reading reports for staff: who may see which report, the inbox page, and the one loader."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from hsm.accounts.models import User
from hsm.extensions import UTCDateTime, db
from hsm.reports import rules
from hsm.reports.models import Report, ReportMessage
from hsm.routing import MAX_ID
from hsm.security import Permission, centre_filter, deny

PAGE_SIZE = 25
STATUS_FILTERS = ("open", "new", "acknowledged", "closed", "all")


@dataclass(frozen=True)
class Scopes:
    """Where an actor may read reports (None: every centre)."""

    reports: frozenset[str] | None
    staff_respondent: frozenset[str] | None

    @classmethod
    def of(cls, actor) -> Scopes:
        return cls(
            reports=centre_filter(Permission.VIEW_REPORTS, actor),
            staff_respondent=centre_filter(Permission.VIEW_STAFF_RESPONDENT_REPORTS, actor),
        )

    @property
    def any(self) -> bool:
        return self.reports is None or self.staff_respondent is None or bool(
            self.reports or self.staff_respondent
        )

    def may_cover(self, centre: str) -> bool:
        """Whether some report of ``centre`` could be visible (for the centre filter)."""
        return any(
            scope is None or centre in scope for scope in (self.reports, self.staff_respondent)
        )

    def sees(self, report: Report) -> bool:
        return rules.visible(
            report_centre=report.centre,
            staff_respondent=report.staff_respondent,
            report_scopes=self.reports,
            staff_respondent_scopes=self.staff_respondent,
        )

    def clause(self):
        """The same rule as ``sees``, as SQL."""
        if self.reports is None:
            return sa.true()
        parts = []
        if self.reports:
            parts.append(Report.centre.in_(sorted(self.reports)))
        if self.staff_respondent is None:
            parts.append(Report.staff_respondent.is_(True))
        elif self.staff_respondent:
            parts.append(
                sa.and_(
                    Report.staff_respondent.is_(True),
                    Report.centre.in_(sorted(self.staff_respondent)),
                )
            )
        return sa.or_(*parts) if parts else sa.false()


INBOX_STATUSES = {
    "open": tuple(rules.OPEN_STATUSES),
    "new": (rules.Status.NEW,),
    "acknowledged": (rules.Status.ACKNOWLEDGED,),
    "closed": (rules.Status.CLOSED,),
    "all": tuple(rules.Status),
}
#: Past this many matching reports the inbox says "more than 1,000" instead of counting on.
COUNT_BOUND = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^([1-9])\.([0-9]{1,17})\.([0-9]{1,19})$")


@dataclass(frozen=True, order=True)
class Cursor:
    """A place in the inbox's order: most urgent first, then oldest, then by id (ties)."""

    urgency: int
    received_at: datetime
    id: int

    @classmethod
    def of(cls, report: Report | InboxRow) -> Cursor:
        return cls(report.urgency, report.received_at, report.id)

    @classmethod
    def parse(cls, value: str | None) -> Cursor | None:
        """A cursor from a link, or None for anything that is not one (never an error)."""
        found = _CURSOR.match(value or "")
        if found is None:
            return None
        urgency, stamp, row_id = (int(part) for part in found.groups())
        if urgency not in {u.value for u in rules.Urgency} or not 0 < row_id <= MAX_ID:
            return None
        try:
            moment = _EPOCH + timedelta(microseconds=stamp)
        except OverflowError:
            return None
        return cls(urgency, moment, row_id)

    @property
    def token(self) -> str:
        stamp = (self.received_at - _EPOCH) // timedelta(microseconds=1)
        return f"{self.urgency}.{stamp}.{self.id}"

    def sort_key(self) -> tuple:
        return (-self.urgency, self.received_at, self.id)


@dataclass(frozen=True)
class InboxFilters:
    """The inbox's filters and where in it a page starts (keyset: after or before a report,
    or the last page); every value comes from the URL, so a page is a plain link."""

    centre: str = ""
    status: str = "open"
    flag: str = ""
    after: Cursor | None = None
    before: Cursor | None = None
    last: bool = False

    @classmethod
    def from_args(cls, args, centres: list[str]) -> InboxFilters:
        """Read the filters leniently: anything unknown falls back to the default."""
        centre = args.get("centre", "")
        status = args.get("status", "open")
        flag = args.get("flag", "")
        after = Cursor.parse(args.get("after"))
        before = None if after else Cursor.parse(args.get("before"))
        return cls(
            centre=centre if centre in centres else "",
            status=status if status in STATUS_FILTERS else "open",
            flag=flag if flag in {f.value for f in rules.Flag} else "",
            after=after,
            before=before,
            last=not (after or before) and args.get("last") == "1",
        )

    def query(self) -> dict[str, str]:
        """Each argument as this page reads it: a URL that says anything else (a value read
        as another, a second cursor) is not the same page."""
        values = {"centre": self.centre, "status": self.status, "flag": self.flag}
        if self.after:
            values["after"] = self.after.token
        if self.before:
            values["before"] = self.before.token
        if self.last:
            values["last"] = "1"
        return values

    def args(self, **position) -> dict:
        """URL arguments for these filters at ``position`` (after=, before= or last=1)."""
        values = {"centre": self.centre, "status": self.status, "flag": self.flag}
        return {k: v for k, v in (values | position).items() if v not in ("", None)}


@dataclass(frozen=True)
class InboxPage:
    reports: list[InboxRow]
    #: How many reports match, counted up to COUNT_BOUND + 1 (``capped`` beyond that).
    total: int
    capped: bool
    filters: InboxFilters
    has_prev: bool
    has_next: bool

    def link_args(self, which: str) -> dict | None:
        """The URL arguments of the first, previous, next or last page (None: no such page)."""
        if which == "first":
            return self.filters.args() if self.has_prev else None
        if which == "last":
            return self.filters.args(last="1") if self.has_next else None
        if not self.reports:
            return None
        if which == "prev":
            before = Cursor.of(self.reports[0]).token
            return self.filters.args(before=before) if self.has_prev else None
        return self.filters.args(after=Cursor.of(self.reports[-1]).token) if self.has_next else None


@dataclass(frozen=True)
class InboxRow:
    """What one row of the inbox shows, and nothing else: read as plain columns (no
    encrypted column is read, so none is decrypted, and no ORM object is built)."""

    id: int
    reference: str
    centre: str
    status: str
    handling: str | None
    urgency: int
    received_at: datetime
    immediate_danger: bool
    under_18: bool
    staff_respondent: bool
    anonymous: bool
    third_party: bool
    caseworker_name: str | None

    flags = Report.flags
    is_urgent = Report.is_urgent


_LISTED = (
    Report.id, Report.reference, Report.centre, Report.status, Report.handling, Report.urgency,
    Report.received_at, *(getattr(Report, f.value) for f in rules.Flag),
    User.name.label("caseworker_name"),
)


def _where(scopes: Scopes, centre: str, flag: str) -> list:
    where = [scopes.clause()]
    if centre:
        where.append(Report.centre == centre)
    if flag:
        where.append(getattr(Report, flag).is_(True))
    return where


def _keys(where: list, statuses, urgency: int | None, forward: bool, limit: int):
    """The ids of the next ``limit`` reports after (or before) a cursor at ``urgency`` (its
    moment and id are the parameters ``moment`` and ``row_id``), or from either end.

    One branch per status and urgency, each an equality on both and a range on
    (received_at, id): each walks ``ix_report_inbox_keyset`` from the cursor and stops after
    ``limit`` rows, so page 2,000 costs what page 1 costs. The branches are merged by the
    database, which sorts at most (branches x limit) rows.
    """
    branches = []
    for status in statuses:
        for level in rules.Urgency:
            if urgency is not None and (level > urgency if forward else level < urgency):
                continue  # wholly on the other side of the cursor
            query = sa.select(Report.id, Report.urgency, Report.received_at).where(
                Report.status == str(status), Report.urgency == int(level), *where
            )
            order = (Report.received_at.asc(), Report.id.asc())
            if level == urgency:
                here = sa.tuple_(Report.received_at, Report.id)
                there = sa.tuple_(sa.bindparam("moment", type_=UTCDateTime),
                                  sa.bindparam("row_id", type_=sa.Integer))
                query = query.where(here > there if forward else here < there)
            if not forward:
                order = (Report.received_at.desc(), Report.id.desc())
            branches.append(sa.select(query.order_by(*order).limit(limit).subquery()))
    merged = sa.union_all(*branches).subquery()
    order = (merged.c.urgency.desc(), merged.c.received_at.asc(), merged.c.id.asc())
    if not forward:
        order = (merged.c.urgency.asc(), merged.c.received_at.desc(), merged.c.id.desc())
    return sa.select(merged.c.id).order_by(*order).limit(limit).subquery()


# The statements are built once per shape (scope, filters, cursor's urgency, direction) and
# then only executed with new parameters: building a union of six branches costs more than
# running it.
@lru_cache(maxsize=256)
def _page_statement(scopes: Scopes, centre: str, flag: str, status: str,
                    urgency: int | None, forward: bool):
    keys = _keys(_where(scopes, centre, flag), INBOX_STATUSES[status], urgency, forward,
                 PAGE_SIZE + 1)
    return (
        sa.select(*_LISTED)
        .outerjoin(User, User.id == Report.caseworker_id)
        .where(Report.id.in_(sa.select(keys.c.id)))  # a join would let SQLite scan the table
    )


@lru_cache(maxsize=256)
def _count_statement(scopes: Scopes, centre: str, flag: str, status: str):
    """How many reports match, counting no further than COUNT_BOUND + 1."""
    statuses = [str(s) for s in INBOX_STATUSES[status]]
    matching = (
        sa.select(sa.literal(1))
        .where(Report.status.in_(statuses), *_where(scopes, centre, flag))
        .limit(COUNT_BOUND + 1)
    )
    return sa.select(sa.func.count()).select_from(matching.subquery())


def _rows(scopes: Scopes, filters: InboxFilters, cursor: Cursor | None, forward: bool):
    """Up to PAGE_SIZE + 1 rows from ``cursor`` on, in the inbox's order (one query)."""
    urgency = cursor.urgency if cursor is not None else None
    statement = _page_statement(scopes, filters.centre, filters.flag, filters.status, urgency,
                                forward)
    params = {"moment": cursor.received_at, "row_id": cursor.id} if cursor is not None else {}
    rows = [InboxRow(**row._mapping) for row in db.session.execute(statement, params)]
    return sorted(rows, key=lambda r: Cursor.of(r).sort_key(), reverse=not forward)


def inbox_page(scopes: Scopes, filters: InboxFilters) -> InboxPage:
    """One page of the inbox in two queries, whatever the number of reports and the page:
    a bounded count and the page's rows (keyset). A cursor with nothing after it any more
    (the reports after it were closed) shows the last page, for one query more."""
    total = db.session.scalar(
        _count_statement(scopes, filters.centre, filters.flag, filters.status)) or 0
    capped = total > COUNT_BOUND
    total = min(total, COUNT_BOUND)
    page = replace(filters, after=None, before=None, last=False)

    def first() -> InboxPage:
        rows = _rows(scopes, filters, None, True)
        return InboxPage(rows[:PAGE_SIZE], total, capped, page, False, len(rows) > PAGE_SIZE)

    def last() -> InboxPage:
        rows = _rows(scopes, filters, None, False)[::-1]
        more = len(rows) > PAGE_SIZE
        return InboxPage(rows[-PAGE_SIZE:], total, capped, page, more, False)

    if filters.after is not None:
        rows = _rows(scopes, filters, filters.after, True)
        if not rows:  # everything after it has gone (closed, say): the last page
            return last()
        return InboxPage(rows[:PAGE_SIZE], total, capped, page, True, len(rows) > PAGE_SIZE)
    if filters.before is not None:
        # Near the start the page may be short: each report stays on exactly one page.
        rows = _rows(scopes, filters, filters.before, False)[::-1]
        more = len(rows) > PAGE_SIZE
        return InboxPage(rows[-PAGE_SIZE:], total, capped, page, more, True)
    if filters.last:
        return last()
    return first()


def load_report_for(actor, report_id: int) -> Report:
    """The report, if ``actor`` may see it; otherwise 404 (and the refusal is audited)."""
    if not 0 < report_id <= MAX_ID:  # a larger number would overflow the database driver
        deny("report_out_of_scope", status=404)
    report = db.session.scalar(
        sa.select(Report)
        .where(Report.id == report_id)
        .options(
            joinedload(Report.caseworker).options(lazyload(User.roles)),
            selectinload(Report.messages).joinedload(ReportMessage.author_user),
        )
    )
    if report is None or not Scopes.of(actor).sees(report):
        deny("report_out_of_scope", status=404)
    return report
