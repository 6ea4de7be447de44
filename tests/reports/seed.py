"""Fast bulk creation of reports, for the inbox tests and the benchmark (10,000 reports).

Every seeded report shares one argon2 hash of one secret, so seeding costs one slow hash in
all; each report still has its own lookup id, so each returned code opens its own report.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from hsm.extensions import db
from hsm.reports import receipts, rules
from hsm.reports.models import Report

_sequence = itertools.count(1)


def seed_reports(n: int, centre: str = "uk", *, batch: int = 1000) -> list[str]:
    """Insert ``n`` varied reports at ``centre``; return their receipt codes (grouped)."""
    pepper = current_app.config["HSM_RECEIPT_PEPPER"]
    secret = receipts.new_code().secret
    secret_hash = receipts.hash_secret(secret, pepper)
    now = datetime.now(UTC)
    taken = set(db.session.scalars(sa.select(Report.lookup_id)))
    codes = []
    rows = []
    for i in range(n):
        lookup = receipts.new_code().lookup_id
        while lookup in taken:
            lookup = receipts.new_code().lookup_id
        taken.add(lookup)
        codes.append(receipts.ReceiptCode(lookup, secret).grouped())
        anonymous = i % 3 == 0
        danger = i % 17 == 0
        respondent = rules.RESPONDENTS[i % len(rules.RESPONDENTS)]
        found = rules.triage(
            immediate_danger=danger,
            under_18=i % 11 == 0,
            respondent=respondent,
            anonymous=anonymous,
            about="someone_else" if i % 5 == 0 else "me",
            categories=[rules.CATEGORIES[i % len(rules.CATEGORIES)]],
        )
        rows.append(
            {
                "reference": f"S-{next(_sequence):08d}-{secrets.token_hex(2)}",
                "centre": centre,
                "lookup_id": lookup,
                "secret_hash": secret_hash,
                "status": rules.Status.NEW if i % 4 else rules.Status.ACKNOWLEDGED,
                "urgency": int(found.urgency),
                "received_at": rules.received_time(now - timedelta(hours=i), anonymous=anonymous),
                "immediate_danger": danger,
                "under_18": i % 11 == 0,
                "staff_respondent": respondent == "staff",
                "anonymous": anonymous,
                "third_party": i % 5 == 0,
                "anonymity_reason": "privacy" if anonymous else None,
                "first_name": None if anonymous else f"Seeded{i}",
                "last_name": None if anonymous else "Reporter",
                "student_number": None if anonymous else f"S{i:07d}",
                "contact_method": None if anonymous else "email",
                "contact_detail": None if anonymous else f"seeded{i}@example.net",
                "about": "someone_else" if i % 5 == 0 else "me",
                "categories": [rules.CATEGORIES[i % len(rules.CATEGORIES)]],
                "narrative": f"Seeded report number {i}.",
                "when_kind": "ongoing",
                "where": rules.WHERE[i % len(rules.WHERE)],
                "respondent": respondent,
                "wishes": ["support"],
                "consent_earlier_notes": "not_applicable",
            }
        )
        if len(rows) >= batch:
            db.session.execute(sa.insert(Report), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Report), rows)
    db.session.commit()
    return codes
