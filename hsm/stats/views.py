"""The statistics pages: the published snapshots, their charts and their exports.

Only published snapshots are ever read (nothing here counts a report or a case), so the
figures never move between two views, and the page costs the same few queries whatever the
data. Plain GET forms choose the snapshot, period and centre; publishing is a plain POST with
its CSRF token. Every chart is an image from our own origin beside a table of the same
figures; every export is the stored, suppressed snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from hsm import audit, keep
from hsm.htmx import render
from hsm.i18n import _, _l, format_date, get_locale
from hsm.security import Permission, can, require
from hsm.stats import charts, exports, labels, operations, queries
from hsm.stats import snapshot as plan
from hsm.stats.forms import PublishForm, ViewForm
from hsm.stats.memo import SnapshotCache

bp = Blueprint("stats", __name__)
P = Permission
BASE = "/staff/statistics"
NAV_LABEL = _l("Statistics")
NAV_DESCRIPTION = _l("Anonymised figures for the Executive Board, from published snapshots.")


@bp.context_processor
def stats_context():
    return {"labels": labels, "period_label": labels.period_label,
            "area_label": labels.area_label,
            "figures": plan.FIGURE_BY_KEY}


def _view_form(snapshot_choices, data=None) -> ViewForm:
    form = ViewForm(request.args)
    form.snapshot.choices = [(str(i), format_date(through, "LLLL y"))
                             for i, through, _digest in snapshot_choices]
    if data is not None:
        form.period.choices = [(k, labels.period_label(data, k)) for k in plan.period_keys(data)]
        form.area.choices = [(a, labels.area_label(a)) for a in plan.areas_of(data)]
    return form


def _publish_form_for(now: datetime):
    """The Safeguarding Director's form, with the month it would publish."""
    if not current_user.is_authenticated or not _may_publish():
        return None, None
    return PublishForm(), operations.last_complete_month(now)


def _may_publish() -> bool:
    return can(P.PUBLISH_STATISTICS)


#: A snapshot's choices (period keys, areas) and its rendered content, per language: both
#: are fixed once it is published, so the page reads no snapshot once they are cached.
CHOICES = SnapshotCache(64)
CONTENT = SnapshotCache(512)


#: Whole pages, per snapshot choice, language, roles and query (hsm/keep.py: the signed-in
#: person's name and the CSRF token are never kept, and put back on each request). Every
#: request still passes the session check and the permission check before it gets here.
PAGES = keep.Kept(256)
_PAGE_ARGS = frozenset({"snapshot", "period", "area", "lang"})


def _choices_of(snapshot_id: int) -> tuple[list[str], list[str]]:
    data = queries.load_snapshot(snapshot_id).figures
    return plan.period_keys(data), plan.areas_of(data)


def _content(snapshots, snapshot_id: int, period: str, area: str) -> tuple[str, str]:
    """The page's title and content for one snapshot, period and area (no token in it)."""
    snapshot = queries.load_snapshot(snapshot_id)
    data = snapshot.figures
    form = _view_form(snapshots, data)
    form.snapshot.data, form.period.data, form.area.data = str(snapshot_id), period, area
    title = f"{labels.period_label(data, period)} · {labels.area_label(area)}"
    html = render_template(
        "stats/_content.html", snapshot=snapshot, data=data, form=form, period=period,
        area=area, tables={t.figure: t for t in plan.tables(data, period, area)},
        service=data["service"][period][area])
    return title, html


def _pick(value: str | None, offered: list[str]) -> str:
    return value if value in offered else offered[0]


@bp.get(BASE)
@require(P.VIEW_STATISTICS)
def index():
    now = datetime.now(UTC)
    snapshots = queries.published()
    publish_form, publish_through = _publish_form_for(now)
    if not snapshots:
        return render("stats/empty.html", publish_form=publish_form,
                      publish_through=publish_through)
    ids = [str(i) for i, _through, _digest in snapshots]
    snapshot_id = int(_pick(request.args.get("snapshot"), ids))
    digest = snapshots[ids.index(str(snapshot_id))][2]
    periods, areas = CHOICES.get(digest, lambda: _choices_of(snapshot_id))
    period = _pick(request.args.get("period"), periods)
    area = _pick(request.args.get("area"), areas)
    every = tuple(d for _i, _through, d in snapshots)  # the snapshot choice lists them all
    key = (every, snapshot_id, period, area, str(get_locale()))

    def page(**personal) -> str:
        title, content = CONTENT.get(key, lambda: _content(snapshots, snapshot_id, period, area))
        return render_template("stats/index.html", title=title,
                               content=Markup(content),  # noqa: S704
                               publish_form=publish_form, publish_through=publish_through,
                               **personal)

    chosen = {"snapshot": str(snapshot_id), "period": period, "area": area}
    args = keep.request_args(chosen, _PAGE_ARGS)
    body = PAGES.page(None if args is None else (*key, publish_through, args, keep.roles()),
                      page)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


@bp.post(f"{BASE}/publish")
@require(P.PUBLISH_STATISTICS)
def publish():
    form = PublishForm()
    now = datetime.now(UTC)
    through = operations.last_complete_month(now)
    problem = None
    if not form.validate():
        problem = None  # the error summary says the page expired
    elif form.through.data != plan.month_key(through):
        problem = _("The month to publish has changed since the page was opened. Check it, "
                    "then publish again.")
    else:
        try:
            snapshot = operations.publish(current_user, through, now=now)
        except operations.NotPublished as refused:
            problem = str(refused.message)
        else:
            flash(_("The snapshot through %(month)s is published.",
                    month=format_date(through, "LLLL y")))
            return redirect(url_for("stats.index", snapshot=snapshot.id), code=303)
    return render("stats/publish.html", publish_form=form, publish_through=through,
                  problem=problem, status=400)


def _chosen_or_404(data, period: str | None, area: str | None) -> tuple[str, str]:
    if period not in plan.period_keys(data) or area not in plan.areas_of(data):
        abort(404)
    return period, area


@bp.get(f"{BASE}/<int:snapshot_id>/charts/<figure>.svg")
@require(P.VIEW_STATISTICS)
def chart(snapshot_id: int, figure: str):
    snapshot = queries.load_snapshot(snapshot_id)
    data = snapshot.figures
    period, area = _chosen_or_404(data, request.args.get("period"), request.args.get("area"))
    if figure == "service":
        def draw():
            return charts.bar_chart(exports.service_bars(data["service"][period][area]),
                                    unit_max=100)
    elif figure in plan.FIGURE_BY_KEY:
        def draw():
            return charts.bar_chart(exports.bars(plan.table(data, figure, period, area)))
    else:
        abort(404)
    svg = charts.CACHE.get((snapshot.digest, figure, period, area, str(get_locale())), draw)
    response = make_response(svg)
    response.mimetype = "image/svg+xml"
    return response


@bp.get(f"{BASE}/<int:snapshot_id>/export.<kind>")
@require(P.VIEW_STATISTICS)
def export(snapshot_id: int, kind: str):
    snapshot = queries.load_snapshot(snapshot_id)
    if kind not in exports.KINDS:
        abort(404)
    body, mimetype = exports.render(kind, snapshot)
    audit.record("stats.snapshot_exported", actor=current_user,
                 target_type="statistics_snapshot", target_id=snapshot.id,
                 detail={"kind": kind})
    response = make_response(body)
    response.mimetype = mimetype
    name = f"statistics-{plan.month_key(snapshot.through)}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
