"""The audit log is a hash chain: edits, deletions and reordering are detected."""

import threading

import pytest
import sqlalchemy as sa

from hsm import audit
from hsm.audit import AuditEntry
from hsm.extensions import db


def _write(n):
    return [
        audit.record("test.event", actor=None, target_type="thing", target_id=i) for i in range(n)
    ]


def test_intact_chain_verifies():
    _write(5)
    db.session.commit()
    assert audit.verify() is None


def test_edited_entry_is_named():
    entries = _write(4)
    db.session.commit()
    db.session.execute(
        sa.update(audit.AuditEntry)
        .where(audit.AuditEntry.id == entries[2].id)
        .values(target_id="changed")
    )
    db.session.commit()
    problem = audit.verify()
    assert problem is not None and problem.entry_id == entries[2].id
    assert "changed" in problem.problem


def test_deleted_entry_is_detected():
    entries = _write(4)
    db.session.commit()
    db.session.execute(sa.delete(audit.AuditEntry).where(audit.AuditEntry.id == entries[1].id))
    db.session.commit()
    problem = audit.verify()
    assert problem is not None and problem.entry_id == entries[2].id


def test_reordered_entries_are_detected():
    entries = _write(3)
    db.session.commit()
    first, second = entries[0], entries[1]
    swap = {
        col: (getattr(first, col), getattr(second, col))
        for col in ("created_at", "action", "target_id", "prev_hash", "hash")
    }
    db.session.execute(
        sa.update(audit.AuditEntry)
        .where(audit.AuditEntry.id == first.id)
        .values(hash="x" * 64, prev_hash="y" * 64)
    )
    db.session.execute(
        sa.update(audit.AuditEntry)
        .where(audit.AuditEntry.id == second.id)
        .values({c: v[0] for c, v in swap.items()})
    )
    db.session.execute(
        sa.update(audit.AuditEntry)
        .where(audit.AuditEntry.id == first.id)
        .values({c: v[1] for c, v in swap.items()})
    )
    db.session.commit()
    problem = audit.verify()
    assert problem is not None and problem.entry_id == first.id


def test_detail_may_not_hold_secrets():
    with pytest.raises(ValueError):
        audit.record("test.event", actor=None, detail={"password": "hunter2"})


def test_cli_reports_tampering(app):
    entries = _write(3)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["hsm", "audit", "verify"]).exit_code == 0
    db.session.execute(
        sa.update(audit.AuditEntry).where(audit.AuditEntry.id == entries[1].id).values(action="x")
    )
    db.session.commit()
    result = runner.invoke(args=["hsm", "audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {entries[1].id}" in result.output


def test_a_chain_rebuilt_without_the_key_does_not_verify():
    """Someone who can write to the database, but has no HSM_AUDIT_KEY, cannot forge it."""
    entries = _write(3)
    db.session.commit()
    guessed_key = b"not the key"
    prev = audit.GENESIS
    for entry in entries:
        entry.target_id = "rewritten"
        entry.prev_hash = prev
        entry.hash = entry.compute_hash(key=guessed_key)
        prev = entry.hash
    db.session.commit()
    problem = audit.verify()
    assert problem is not None and problem.entry_id == entries[0].id


def test_verify_prints_the_head_of_the_chain(app):
    entries = _write(2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["hsm", "audit", "verify"])
    assert f"2 entries; head {entries[-1].hash}" in result.output


def test_concurrent_writers_extend_the_chain_one_at_a_time(app):
    """Requests writing at the same moment (gunicorn's workers) each extend the chain from the
    head the one before them wrote: no request fails on the chain, and the chain verifies.
    On SQLite, before the write lock was taken first, two of them read the same head and the
    second failed on the unique ``prev_hash`` (an error page)."""
    db.session.commit()
    writers, each = 6, 5
    start = threading.Barrier(writers, timeout=10)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(each):
                    audit.record("test.concurrent", actor=None, target_id=f"{n}-{i}")
                    db.session.commit()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    written = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "test.concurrent"))
    assert written == writers * each
    assert audit.verify() is None
