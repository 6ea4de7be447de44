"""Fast test and benchmark data: published Safe Contacts with biographies, badges and languages."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hsm.extensions import db
from hsm.safecontacts import operations
from hsm.safecontacts.biography import join_codes
from hsm.safecontacts.models import Biography, SafeContact, TrainingRecord

CENTRES = ("amsterdam", "ireland", "paris", "uk")
LANGUAGE_SETS = (("en",), ("en", "nl"), ("en", "fr"), ("fr",), ("en", "pl"), ("nl", "de"))
_n = itertools.count(1)


def make_contact(
    *,
    stage: str = "published",
    centre: str = "uk",
    name: str | None = None,
    email: str | None = None,
    confirmed: bool = True,
    line_manager: bool = True,
    user=None,
    **fields,
) -> SafeContact:
    """One person in the scheme, saved, at ``stage``."""
    n = next(_n)
    now = datetime.now(UTC)
    contact = SafeContact(
        name=name or f"Safe Contact {n}",
        email=email or f"safe.contact{n}@example.org",
        job_title=fields.pop("job_title", "Librarian"),
        department=fields.pop("department", "Library"),
        centre=centre,
        staff_type="professional_services",
        statement="word " * 160,
        line_manager_permission=line_manager,
        specialist_interest=False,
        stage=stage,
        email_confirmed_at=now if confirmed else None,
        stage_changed_at=now,
        published_at=now if stage == "published" else None,
        created_at=now,
        user=user,
        **fields,
    )
    db.session.add(contact)
    db.session.flush()
    operations.directory_changed()  # as every write the directory shows does
    return contact


def add_biography(
    contact: SafeContact,
    *,
    status: str = "published",
    text: str = "Hello.",
    languages=("en",),
    **fields,
) -> Biography:
    bio = Biography(
        safe_contact=contact,
        status=status,
        text_en=text,
        languages=join_codes(list(languages)),
        department=fields.pop("department", contact.department),
        days=join_codes(list(fields.pop("days", ("mon", "wed")))),
        in_person=True,
        online=True,
        created_at=datetime.now(UTC),
        approved_at=datetime.now(UTC) if status == "published" else None,
        **fields,
    )
    db.session.add(bio)
    db.session.flush()
    operations.directory_changed()
    return bio


def seed_safe_contacts(n: int, today: date | None = None) -> list[SafeContact]:
    """``n`` published Safe Contacts across the 4 centres, each with badges and languages."""
    today = today or datetime.now(UTC).date()
    topics = operations.ensure_default_topics()
    contacts = []
    for i in range(n):
        contact = make_contact(centre=CENTRES[i % len(CENTRES)], name=f"Person {i:04d}")
        add_biography(
            contact,
            text=f"I work in the library and I am here to **listen**. ({i})",
            languages=LANGUAGE_SETS[i % len(LANGUAGE_SETS)],
        )
        for k, topic in enumerate(topics):
            if (i + k) % 3 == 0:
                db.session.add(
                    TrainingRecord(
                        safe_contact=contact,
                        topic=topic,
                        attended_on=today - timedelta(days=30 + i % 200),
                    )
                )
        contacts.append(contact)
    db.session.commit()
    return contacts
