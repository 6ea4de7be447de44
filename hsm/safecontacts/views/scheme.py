"""Training topics and refreshers, meeting commitments and the diversity summary."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from hsm import audit
from hsm.extensions import db
from hsm.forms import keeps_input
from hsm.htmx import render
from hsm.i18n import _
from hsm.safecontacts import equality, operations, pipeline, queries
from hsm.safecontacts.biography import TEXT_LOCALES
from hsm.safecontacts.forms import (
    MeetingForm,
    RefresherForm,
    TopicForm,
)
from hsm.safecontacts.views.common import MISSED_WINDOW, STAFF, bp, today, topics
from hsm.security import Permission, require
from hsm.stats import queries as stats_queries


def _training_page(topic_form=None, status=200, refresher_forms=None):
    all_topics = topics()
    members = queries.scheme_members(current_user)
    forms = {t.id: RefresherForm(formdata=None, prefix=f"t{t.id}", obj=t) for t in all_topics}
    forms.update(refresher_forms or {})
    return render(
        "safecontacts/training.html",
        topics=all_topics,
        refresher_forms=forms,
        topic_form=topic_form or TopicForm(formdata=None, refresher_months=24),
        due=queries.refreshers_due(members, today()),
        status=status,
    )


@bp.route(f"{STAFF}/training", methods=["GET", "POST"])
@require(Permission.MANAGE_SAFE_CONTACTS)
def training():
    """Topics and their refresher periods, adding a topic, and the refreshers now due."""
    if request.method == "GET":
        return _training_page()
    form = TopicForm()
    if not form.validate_on_submit():
        return _training_page(topic_form=form, status=400)
    operations.add_topic(
        current_user,
        {c: getattr(form, f"name_{c}").data for c in TEXT_LOCALES},
        {c: getattr(form, f"badge_{c}").data for c in TEXT_LOCALES},
        form.refresher_months.data,
    )
    flash(_("The topic is added."))
    return redirect(url_for("safecontacts.training"), code=303)


@bp.post(f"{STAFF}/training/topics/<int:topic_id>")
@require(Permission.MANAGE_SAFE_CONTACTS)
def topic_refresher(topic_id: int):
    topic = queries.load_topic(topic_id)
    form = RefresherForm(prefix=f"t{topic.id}")
    if not form.validate_on_submit():
        return _training_page(status=400, refresher_forms={topic.id: form})
    operations.set_refresher(current_user, topic, form.refresher_months.data)
    flash(_("The refresher period is saved."))
    return redirect(url_for("safecontacts.training"), code=303)


@bp.route(f"{STAFF}/commitments", methods=["GET", "POST"])
@require(Permission.MANAGE_SAFE_CONTACTS)
@keeps_input
def commitments():
    """Record termly meetings and supervision; list Safe Contacts who missed them."""
    members = [
        m for m in queries.scheme_members(current_user) if m.stage == pipeline.Stage.PUBLISHED
    ]
    form = MeetingForm(members)
    if form.validate_on_submit():
        operations.record_meeting(
            current_user, form.kind.data, form.held_on.data, [int(i) for i in form.attendees.data]
        )
        flash(_("The session and its attendance are recorded."))
        return redirect(url_for("safecontacts.commitments"), code=303)
    return render(
        "safecontacts/commitments.html",
        form=form,
        meetings=queries.meetings(),
        missed=queries.missed_commitments(members, today() - MISSED_WINDOW),
        members={m.id: m for m in members},
        status=400 if form.errors else 200,
    )


@bp.get(f"{STAFF}/diversity")
@require(Permission.VIEW_DIVERSITY_SUMMARY)
def diversity():
    """Equality monitoring as the totals of the last published statistics snapshot (never a
    live count that moves with one application); small counts are hidden."""
    snapshot = stats_queries.latest()
    total, summaries = equality.summary_from(snapshot.diversity if snapshot else None)
    audit.record("safecontacts.diversity_summary_viewed", actor=current_user,
                 target_type="equality_summary", target_id=snapshot.id if snapshot else "")
    db.session.commit()
    return render(
        "safecontacts/diversity.html",
        snapshot=snapshot,
        total=total,
        summaries=summaries,
        threshold=equality.THRESHOLD,
    )
