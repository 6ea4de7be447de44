"""Reading reports for staff: who may see which report, the inbox page, and the one loader."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from hsm.accounts.models import User
from hsm.extensions import db
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


@dataclass(frozen=True)
class InboxFilters:
    centre: str = ""
    status: str = "open"
    flag: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args, centres: list[str]) -> InboxFilters:
        """Read the filters leniently: anything unknown falls back to the default."""
        centre = args.get("centre", "")
        status = args.get("status", "open")
        flag = args.get("flag", "")
        try:
            page = max(1, min(int(args.get("page", 1)), 100_000))
        except (TypeError, ValueError):
            page = 1
        return cls(
            centre=centre if centre in centres else "",
            status=status if status in STATUS_FILTERS else "open",
            flag=flag if flag in {f.value for f in rules.Flag} else "",
            page=page,
        )

    def args(self, **changes) -> dict:
        values = {"centre": self.centre, "status": self.status, "flag": self.flag,
                  "page": self.page} | changes
        return {k: v for k, v in values.items() if v not in ("", None, 1) or k == "status"}


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


@dataclass(frozen=True)
class InboxPage:
    reports: list[Report]
    total: int
    filters: InboxFilters

    @property
    def pages(self) -> int:
        return _pages(self.total)


def inbox_page(scopes: Scopes, filters: InboxFilters) -> InboxPage:
    """One page of the inbox: two queries whatever the number of reports (count + rows)."""
    query = sa.select(Report).where(scopes.clause())
    if filters.centre:
        query = query.where(Report.centre == filters.centre)
    if filters.status == "open":
        query = query.where(Report.status.in_([s.value for s in rules.OPEN_STATUSES]))
    elif filters.status != "all":
        query = query.where(Report.status == filters.status)
    if filters.flag:
        query = query.where(getattr(Report, filters.flag).is_(True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    last = _pages(total)
    if filters.page > last:  # an old link after reports were closed: show the last page
        filters = replace(filters, page=last)
    rows = db.session.scalars(
        query.options(joinedload(Report.caseworker).options(lazyload(User.roles)))
        .order_by(Report.urgency.desc(), Report.received_at.asc(), Report.id.asc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    return InboxPage(reports=list(rows), total=total, filters=filters)


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
