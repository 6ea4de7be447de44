"""Badges come from recorded training, and leave the directory when the refresher is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hsm.extensions import db
from hsm.safecontacts import badges, operations
from hsm.safecontacts.models import TrainingRecord

TODAY = date(2025, 6, 15)


def test_add_months_keeps_to_the_calendar():
    assert badges.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert badges.add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert badges.add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


def test_a_badge_expires_after_its_refresher_period():
    months = {1: 12, 2: 24}
    trained = [(1, date(2024, 6, 15)), (2, date(2023, 1, 1)), (2, date(2024, 1, 1))]
    assert badges.active_badges(trained, months, TODAY) == [1, 2]
    assert badges.active_badges(trained, months, date(2024, 6, 16)) == [1, 2]
    assert badges.active_badges(trained, months, date(2025, 6, 16)) == [2]
    due = badges.refreshers_due(trained, months, date(2026, 1, 2))
    assert {d.topic_id for d in due} == {1, 2}
    assert badges.active_badges([(3, TODAY)], months, TODAY) == []  # unknown topic


def _badge_text(html):
    return "Trained to support people affected by sexual violence" in html


def test_expired_badge_leaves_the_directory_and_edi_sees_refresher_due(
    client, login_as, contact_factory, biography_factory
):
    topics = {t.slug: t for t in operations.ensure_default_topics()}
    person = contact_factory(name="Badge Holder")
    biography_factory(person)
    today = datetime.now(UTC).date()
    record = TrainingRecord(
        safe_contact=person, topic=topics["sexual-violence"], attended_on=today - timedelta(days=30)
    )
    db.session.add(record)
    db.session.commit()
    html = client.get("/safe-contacts").get_data(as_text=True)
    assert _badge_text(html)
    filtered = client.get("/safe-contacts?badge=sexual-violence").get_data(as_text=True)
    assert "Badge Holder" in filtered

    record.attended_on = today - timedelta(days=3 * 365)
    operations.directory_changed()  # a direct edit; the app's own writes raise it themselves
    db.session.commit()
    html = client.get("/safe-contacts").get_data(as_text=True)
    assert "Badge Holder" in html and not _badge_text(html)  # the person stays listed
    assert "Badge Holder" not in client.get("/safe-contacts?badge=sexual-violence").get_data(
        as_text=True
    )
    login_as("edi_officer")
    training = client.get("/staff/safe-contacts/training").get_data(as_text=True)
    due = training.split('id="due-title"', 1)[1].split("</section>", 1)[0]
    assert "Badge Holder" in due


def test_a_longer_refresher_period_brings_the_badge_back(
    client, login_as, contact_factory, biography_factory
):
    from tests.safecontacts.conftest import csrf

    topics = {t.slug: t for t in operations.ensure_default_topics()}
    person = contact_factory(name="Long Ago")
    biography_factory(person)
    db.session.add(
        TrainingRecord(
            safe_contact=person,
            topic=topics["domestic-abuse"],
            attended_on=datetime.now(UTC).date() - timedelta(days=800),
        )
    )
    db.session.commit()
    assert "Long Ago" not in client.get("/safe-contacts?badge=domestic-abuse").get_data(
        as_text=True
    )
    login_as("edi_officer")
    topic_id = topics["domestic-abuse"].id
    response = client.post(
        f"/staff/safe-contacts/training/topics/{topic_id}",
        data={"csrf_token": csrf(client), f"t{topic_id}-refresher_months": "36"},
    )
    assert response.status_code == 303
    assert "Long Ago" in client.get("/safe-contacts?badge=domestic-abuse").get_data(as_text=True)


def test_starting_topics_are_saved_when_edi_first_opens_training(client, login_as):
    from hsm.safecontacts.models import TrainingTopic

    login_as("edi_officer")
    assert client.get("/staff/safe-contacts/training").status_code == 200
    db.session.rollback()
    slugs = {t.slug for t in db.session.query(TrainingTopic)}
    assert {"sexual-violence", "lgbtqia", "racial-harassment", "domestic-abuse"} <= slugs


def test_the_badge_filter_date_agrees_with_the_badge_on_every_day():
    # The directory filters on earliest_valid_training; the card shows active_on. Around month
    # ends they once disagreed: someone trained on 28 February showed up under a six-month
    # badge filter on 29 to 31 August, with no badge on their card.
    for months in (1, 6, 12, 24):
        day = date(2023, 1, 1)
        while day < date(2025, 1, 1):
            cutoff = badges.earliest_valid_training(day, months)
            assert badges.valid_until(cutoff, months) >= day, (day, months)
            before = cutoff - timedelta(days=1)
            assert badges.valid_until(before, months) < day, (day, months)
            day += timedelta(days=1)
