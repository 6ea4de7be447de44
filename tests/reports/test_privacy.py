"""No address, no user agent, no plain narrative anywhere; encryption keys rotate."""

import logging
import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from hsm import crypto
from hsm.extensions import db
from hsm.reports.models import Report, ReportMessage
from tests.helpers import csrf_token
from tests.reports.conftest import named_form


def raw_database_text() -> str:
    """Every stored byte (SQLite file) or every text column of every table (PostgreSQL)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        db.session.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
        with open(engine.url.database, "rb") as stored:
            return stored.read().decode("latin-1")
    parts = []
    for table in db.metadata.sorted_tables:
        # Raw SQL: going through the models would decrypt the encrypted columns.
        for row in db.session.execute(sa.text(f'SELECT * FROM "{table.name}"')).all():
            parts.extend(str(value) for value in row)
    return "\n".join(parts)


@pytest.fixture
def all_loggers_at_debug(caplog):
    """Every logger at DEBUG, except SQLAlchemy's row dump (a debugging aid that prints
    result rows; statements are still captured, and their parameters are hidden by config)."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [(logger, logger.level) for logger in loggers]
    caplog.set_level(logging.DEBUG)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in loggers:
        if logger.name.startswith("sqlalchemy.engine"):
            logger.setLevel(logging.INFO)
    yield
    for logger, level in levels:
        logger.setLevel(level)


def test_canary_leaves_no_address_agent_or_narrative(client, caplog, capsys,
                                                    all_loggers_at_debug):
    canary = uuid.uuid4().hex
    agent = f"CanaryBrowser/{canary}"
    address = "203.0.113.197"
    forwarded = "198.51.100.213"
    narrative = f"canary narrative {canary}"
    environ = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent}
    headers = {"User-Agent": agent, "X-Forwarded-For": forwarded}

    token = csrf_token(client, "/uk/report")
    data = named_form(narrative=narrative, first_name=f"First{canary}")
    data["csrf_token"] = token
    response = client.post("/uk/report", data=data, environ_base=environ, headers=headers)
    assert response.status_code == 200
    code = response.get_data(as_text=True).split('id="receipt-code" translate="no">')[1][:24]

    # The follow-up: a wrong code, the right code, and a message.
    for typed in ("ABCD-EFGH-JKMN-PQRS-TVWX", code):
        client.post("/follow-up", data={"csrf_token": csrf_token(client, "/follow-up"),
                                        "code": typed}, environ_base=environ, headers=headers)
    client.post("/follow-up/message",
                data={"csrf_token": csrf_token(client, "/follow-up"),
                      "body": f"canary message {canary}"},
                environ_base=environ, headers=headers)
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert "POST" in logs or "report" in logs  # the capture did see the requests
    stored = raw_database_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportMessage)) == 1
    assert db.session.scalar(sa.select(Report.narrative)) == narrative
    for needle in (agent, canary, address, forwarded):
        assert needle not in stored, f"{needle} found in the database"
        assert needle not in logs, f"{needle} found in the logs"


@pytest.fixture
def restore_keys(app):
    keys = app.config["HSM_FIELD_KEYS"]
    yield
    app.config["HSM_FIELD_KEYS"] = keys
    crypto.init_app(app)


def test_rotation_then_only_the_new_key(app, make_report, restore_keys):
    report, _ = make_report("uk", narrative="rotate me please")
    report_id = report.id
    from hsm.reports import operations
    from tests.factories import make_user

    operations.add_note(make_user(("student_services", "uk")), report, "a note to rotate")
    db.session.commit()
    old_token = db.session.execute(
        sa.text("SELECT narrative FROM report WHERE id = :id"), {"id": report_id}
    ).scalar()

    new_key = Fernet.generate_key().decode()
    app.config["HSM_FIELD_KEYS"] = (new_key, *app.config["HSM_FIELD_KEYS"])
    crypto.init_app(app)
    assert crypto.rotate_all() >= 2

    app.config["HSM_FIELD_KEYS"] = (new_key,)
    crypto.init_app(app)
    db.session.expunge_all()
    report = db.session.get(Report, report_id)
    assert report.narrative == "rotate me please"
    assert report.messages[0].body == "a note to rotate"
    new_token = db.session.execute(
        sa.text("SELECT narrative FROM report WHERE id = :id"), {"id": report_id}
    ).scalar()
    assert new_token != old_token
    with pytest.raises(crypto.TamperedCiphertext):
        crypto.keyring().decrypt(old_token)
