"""Backup and restore, proved: the round trip is exact on both databases, a changed backup
is caught, and a restore with the wrong keys fails loudly."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from cryptography.fernet import Fernet

from hsm import backup
from hsm.cases import operations as case_ops
from hsm.extensions import db
from tests.factories import make_user

SECRET = "Backup-canary: what was disclosed on the phone."


@pytest.fixture
def data(make_report):
    make_report("uk")
    caseworker = make_user(("student_services", "uk"))
    case_ops.record_disclosure(caseworker, "uk", case_ops.Disclosure(
        channel="phone", disclosure=SECRET, disclosed_on=date(2026, 11, 2),
        responding_party_type="student"))
    db.session.commit()


@pytest.fixture
def make_report():
    from tests.cases.conftest import submission

    def make(centre):
        from flask import current_app

        from hsm.reports import operations as report_ops
        report_ops.submit_report(submission(), centre=centre,
                                 pepper=current_app.config["HSM_RECEIPT_PEPPER"])
    return make


def test_a_backup_restores_exactly_and_holds_no_key(app, data, tmp_path):
    folder = backup.take(tmp_path)
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    tables = manifest["tables"]
    assert tables["case_record"]["rows"] == 1 and tables["report"]["rows"] == 1
    assert manifest["revision"] is None or isinstance(manifest["revision"], str)
    assert backup.check(folder) == []
    everything = b"".join(p.read_bytes() for p in folder.iterdir())
    for key in (*app.config["HSM_FIELD_KEYS"], app.config["HSM_AUDIT_KEY"],
                app.config["HSM_RECEIPT_PEPPER"]):
        assert key.encode() not in everything
    assert SECRET.encode() not in everything  # encrypted at rest, in the backup too
    # The live database moves on; the check compares the backup with its own manifest.
    make_user(("student_services", "paris"))
    db.session.commit()
    assert backup.check(folder) == []


def test_a_changed_backup_is_caught(app, data, tmp_path):
    folder = backup.take(tmp_path)
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    manifest["tables"]["user"]["rows"] += 1
    manifest["tables"]["case_record"]["hmac"] = "0" * 64
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    problems = backup.check(folder)
    assert any(p.startswith("table user:") and "rows" in p for p in problems)
    assert any(p.startswith("table case_record:") and "HMAC" in p for p in problems)


def test_a_restore_with_the_wrong_keys_fails_loudly(app, make_app, data, tmp_path):
    folder = backup.take(tmp_path)
    other = make_app({"HSM_FIELD_KEYS": (Fernet.generate_key().decode(),),
                      "HSM_AUDIT_KEY": app.config["HSM_AUDIT_KEY"]})
    with other.app_context(), pytest.raises(backup.BackupError, match="do not open"):
        backup.check(folder)
    wrong_mac = make_app({"HSM_FIELD_KEYS": app.config["HSM_FIELD_KEYS"],
                          "HSM_AUDIT_KEY": "another-audit-key-of-32-characters!"})
    with wrong_mac.app_context():
        assert any("HSM_AUDIT_KEY" in p for p in backup.check(folder))


def test_the_commands(app, data, tmp_path):
    runner = app.test_cli_runner()
    taken = runner.invoke(args=["hsm", "backup", str(tmp_path)])
    assert taken.exit_code == 0, taken.output
    [folder] = list(tmp_path.iterdir())
    assert folder.stat().st_mode & 0o077 == 0
    checked = runner.invoke(args=["hsm", "restore", "--check", str(folder)])
    assert checked.exit_code == 0 and "exactly" in checked.output
    if (folder / backup.SQLITE_FILE).exists():  # change one row of the copy itself
        with sqlite3.connect(folder / backup.SQLITE_FILE) as copy:
            copy.execute("UPDATE case_party SET preferred_language = 'fr'")
        changed = runner.invoke(args=["hsm", "restore", "--check", str(folder)])
        assert changed.exit_code != 0 and "case_party" in changed.output
