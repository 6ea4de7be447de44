"""``flask --app wsgi hsm ...``: the project's own commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from hsm import audit, backup, crypto, jobs, retention
from hsm.accounts import demo as accounts_demo
from hsm.accounts.cli import create_user
from hsm.cases import demo as cases_demo
from hsm.cases import reminders as case_reminders
from hsm.centres.cli import centres_cli
from hsm.extensions import db
from hsm.letters import demo as letters_demo
from hsm.reports import demo as reports_demo
from hsm.safecontacts import demo as safecontacts_demo
from hsm.stats import demo as stats_demo

hsm_cli = AppGroup("hsm", help="HSM administration commands.")
hsm_cli.add_command(centres_cli)
hsm_cli.add_command(create_user)

audit_cli = AppGroup("audit", help="The hash-chained audit log.")
hsm_cli.add_command(audit_cli)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit chain; exit 1 and name the first broken entry if it was tampered with."""
    problem = audit.verify()
    if problem is None:
        count = db.session.scalar(db.select(db.func.count(audit.AuditEntry.id)))
        head = db.session.scalar(
            db.select(audit.AuditEntry.hash).order_by(audit.AuditEntry.id.desc()).limit(1)
        )
        click.echo(f"audit log intact: {count} entries; head {head or '(empty)'}")
        return
    click.echo(f"audit log broken at {problem}", err=True)
    raise SystemExit(1)


@hsm_cli.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every encrypted column under the newest key in HSM_FIELD_KEYS."""
    changed = crypto.rotate_all()
    click.echo(f"re-encrypted {changed} values under the newest key")


@hsm_cli.command("demo")
def demo() -> None:
    """Load the demo data (idempotent): users for every role, Safe Contacts, reports, cases,
    letters, and a year of history with a published statistics snapshot."""
    logins = accounts_demo.load()
    safecontacts_demo.load()
    reports_demo.load()
    logins += cases_demo.load()
    letters_demo.load()
    stats_demo.load()
    db.session.commit()
    click.echo("Demo data is loaded. Demo logins (fictional people):")
    for line in logins:
        click.echo(f"  {line}")


@hsm_cli.command("reminders")
def reminders() -> None:
    """Email each responsible person their due and overdue case deadlines (counts and a link).

    Safe to run more than once a day and on several servers: each person gets one a day.
    """
    run = case_reminders.send_reminders()
    if run.skipped_locked:
        click.echo("another server is sending the reminders; nothing sent here")
        return
    click.echo(f"reminders sent to {len(run.sent)} people ({len(run.already)} had theirs today)")


@hsm_cli.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_command(folder: Path) -> None:
    """Write a consistent backup and its manifest into a new subfolder of FOLDER (no keys)."""
    try:
        target = backup.take(folder)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup written to {target}")


@hsm_cli.command("restore")
@click.option("--check", "check_only", is_flag=True, required=True,
              help="Restore into a scratch database and compare with the manifest.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(check_only: bool, folder: Path) -> None:
    """Prove a backup: restore it into a scratch database and compare it with its manifest."""
    try:
        problems = backup.check(folder)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    if problems:
        for problem in problems:
            click.echo(f"DIFFERS: {problem}", err=True)
        raise click.ClickException(f"{len(problems)} difference(s) from the manifest")
    click.echo("the backup restores exactly as its manifest says")


@hsm_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def retention_command(dry_run: bool) -> None:
    """Purge every record whose retention period has ended (README, "Retention")."""
    plan = retention.run(dry_run=dry_run)
    for name, ids in plan.due.items():
        click.echo(f"{name}: {len(ids)} {'due' if dry_run else 'removed'}"
                   + (f" (ids {', '.join(map(str, ids))})" if ids else ""))
    if not dry_run:
        for table, count in sorted(plan.removed.items()):
            click.echo(f"  {table}: {count} rows")


@hsm_cli.command("legal-hold")
@click.option("--kind", type=click.Choice([k.table for k in retention.KINDS]), required=True)
@click.option("--id", "record_id", type=click.IntRange(1, 2**63 - 1), required=True)
@click.option("--lift", is_flag=True, help="Lift the hold instead of setting it.")
def legal_hold_command(kind: str, record_id: int, lift: bool) -> None:
    """Put a legal hold on a record (it is never purged while held), or lift it; audited."""
    if not retention.hold(kind, record_id, not lift):
        raise click.ClickException(f"no {kind} {record_id}")
    click.echo(f"{kind} {record_id}: legal hold {'lifted' if lift else 'set'}")


jobs_cli = AppGroup("jobs", help="The periodic work (outbox, reminders).")
hsm_cli.add_command(jobs_cli)


@jobs_cli.command("run")
@click.option("--only", "names", multiple=True, type=click.Choice(list(jobs.JOBS)),
              help="Run only this job (repeatable).")
def jobs_run(names: tuple[str, ...]) -> None:
    """Run the periodic jobs once, each under its lock; safe on every app server at once."""
    for outcome in jobs.run(list(names) or None):
        click.echo(f"{outcome.name}: {outcome.summary}")


def init_app(app: Flask) -> None:
    app.cli.add_command(hsm_cli)
