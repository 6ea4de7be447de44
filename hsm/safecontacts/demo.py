"""Demo data: a few published Safe Contacts (fictional people) with badges, at every centre."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hsm.accounts.models import User
from hsm.extensions import db
from hsm.safecontacts import operations, pipeline
from hsm.safecontacts.biography import join_codes
from hsm.safecontacts.models import Biography, SafeContact, TrainingRecord

# (name, email, centre, job title, department, languages, topic slugs, English biography)
PEOPLE = (
    ("Morgan Ashby", "morgan.ashby@example.org", "uk", "Library Manager", "Library",
     ("en", "fr"), ("sexual-violence", "domestic-abuse"),
     "I have worked in the library for ten years. I am here to **listen**, without judging, "
     "and to help you find the support that is right for you."),
    ("Noor de Wit", "noor.dewit@example.org", "amsterdam", "Student Adviser", "Student Life",
     ("nl", "en", "ar"), ("lgbtqia",),
     "I support students every day. You can talk to me in Dutch, English or Arabic, "
     "in person or online."),
    ("Ciarán Byrne", "ciaran.byrne@example.org", "ireland", "Lecturer in Business",
     "Business School", ("en", "ga"), ("racial-harassment",),
     "I teach in the Business School. If something has happened, however long ago, "
     "I will listen and explain your options."),
    ("Élise Marchand", "elise.marchand@example.org", "paris", "Coordinatrice pédagogique",
     "Programmes", ("fr", "en"), ("sexual-violence",),
     "Je travaille avec les étudiant·es depuis huit ans. Vous pouvez me parler en français "
     "ou en anglais, en toute confidentialité."),
)  # fmt: skip


def load() -> None:
    """Create the demo Safe Contacts that are missing; safe to run more than once."""
    topics = {t.slug: t for t in operations.ensure_default_topics()}
    now = datetime.now(UTC)
    for name, email, centre, job, department, languages, slugs, text in PEOPLE:
        if db.session.scalar(sa.select(SafeContact.id).where(SafeContact.email == email)):
            continue
        # A demo login with the same email (accounts demo) writes this biography.
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        contact = SafeContact(
            user_id=user_id,
            name=name,
            email=email,
            job_title=job,
            department=department,
            centre=centre,
            staff_type="professional_services",
            statement="(demo application)",
            line_manager_permission=True,
            specialist_interest="sexual-violence" in slugs,
            email_confirmed_at=now,
            stage=pipeline.Stage.PUBLISHED,
            stage_changed_at=now,
            published_at=now,
            chat_on=(now - timedelta(days=90)).date(),
            chat_staff_one="EDI Officer (demo)",
            chat_staff_two="Student Services (demo)",
            induction_on=(now - timedelta(days=60)).date(),
            induction_attended=True,
            created_at=now,
        )
        db.session.add(contact)
        db.session.add(
            Biography(
                safe_contact=contact,
                status="published",
                text_en=text if centre != "paris" else "",
                text_fr=text if centre == "paris" else "",
                languages=join_codes(list(languages)),
                department=department,
                days=join_codes(["mon", "wed", "thu"]),
                in_person=True,
                online=True,
                created_at=now,
                approved_at=now,
            )
        )
        for slug in slugs:
            db.session.add(
                TrainingRecord(
                    safe_contact=contact,
                    topic=topics[slug],
                    attended_on=(now - timedelta(days=45)).date(),
                )
            )
    db.session.flush()
