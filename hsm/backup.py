"""Backups that can be proved, and a restore check that proves them.

``flask --app wsgi hsm backup DIR`` writes one folder:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app runs) or
  ``database.dump`` (``pg_dump --format=custom`` of an exported snapshot);
- ``manifest.json``, computed from that very snapshot: when it was taken, the schema revision,
  and for each table its row count and a keyed HMAC (``HSM_AUDIT_KEY``) of every row, read
  decrypted, in primary-key order. A plain hash of a short field would reveal it; a keyed one
  reveals nothing without the key, which is never in the backup.

The keys (``HSM_FIELD_KEYS``, ``HSM_AUDIT_KEY``, ``HSM_RECEIPT_PEPPER``) are never written.

``flask --app wsgi hsm restore --check DIR`` restores into a scratch database (a temporary
file, or a new PostgreSQL database on the same server), computes the same manifest there with
the keys of this installation, and compares it with the stored one: never with the live
database, which has moved on since. Keys that do not open the backup fail loudly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import make_url

from hsm.crypto import TamperedCiphertext
from hsm.extensions import db

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"


class BackupError(Exception):
    """A backup that cannot be taken, read or proved; the message says why."""


def _key() -> bytes:
    return current_app.config["HSM_AUDIT_KEY"].encode()


def _canonical(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime):
        # SQLite keeps no offset: compare the instant, whatever the database returns.
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def table_digests(connection) -> dict[str, dict]:
    """Each model table's row count and keyed HMAC, rows read decrypted in key order.

    Streams the rows: it never holds a table in memory."""
    found = {}
    for table in db.metadata.sorted_tables:
        mac = hmac.new(_key(), table.name.encode(), hashlib.sha256)
        rows = 0
        order = list(table.primary_key.columns) or list(table.columns)
        query = sa.select(table).order_by(*order).execution_options(yield_per=1000)
        try:
            with connection.execute(query) as result:
                for row in result:
                    rows += 1
                    line = "\x1f".join(_canonical(v) for v in row)
                    mac.update(hashlib.sha256(line.encode()).digest())
        except TamperedCiphertext as error:
            raise BackupError(f"the field keys of this installation do not open table "
                              f"{table.name} of this backup: restore with the keys it was "
                              f"taken with") from error
        found[table.name] = {"rows": rows, "hmac": mac.hexdigest()}
    return found


def _revision(connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise BackupError(f"{name} is not installed (Debian: postgresql-client)")


def _pg_env(url) -> tuple[list[str], dict]:
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432),
            "--username", url.username or "postgres"]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def take(folder: Path) -> Path:
    """Write a backup and its manifest into a new subfolder of ``folder``; return it."""
    stamp = datetime.now(UTC)
    target = Path(folder) / f"hsm-backup-{stamp:%Y%m%dT%H%M%SZ}"
    target.mkdir(parents=True, exist_ok=False)
    os.chmod(target, 0o700)
    engine = db.engine
    if engine.dialect.name == "sqlite":
        source = engine.url.database
        copy = target / SQLITE_FILE
        live, out = sqlite3.connect(source), sqlite3.connect(copy)
        try:
            live.backup(out)  # the online backup API: one consistent snapshot
        finally:
            out.close()
            live.close()
        scratch = sa.create_engine(f"sqlite:///{copy}")
        with scratch.connect() as connection:
            manifest = {"tables": table_digests(connection), "revision": _revision(connection)}
        scratch.dispose()
    elif engine.dialect.name == "postgresql":
        url = engine.url
        with engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True) as connection:
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            args, env = _pg_env(url)
            dump = subprocess.run(  # noqa: S603 - a fixed binary and our own arguments
                [_pg_binary("pg_dump"), *args, "--format=custom", "--no-owner",
                 f"--snapshot={snapshot}", "--file", str(target / PG_FILE), url.database],
                env=env, capture_output=True, text=True, check=False)
            if dump.returncode != 0:
                raise BackupError(f"pg_dump failed: {dump.stderr.strip()[:500]}")
            manifest = {"tables": table_digests(connection), "revision": _revision(connection)}
            connection.commit()
    else:
        raise BackupError(f"no backup for {engine.dialect.name}")
    manifest |= {"taken_at": stamp.isoformat(), "database": engine.dialect.name,
                 "format": 1}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    for path in target.iterdir():
        os.chmod(path, 0o600)
    return target


@contextmanager
def _restored(folder: Path) -> Iterator[sa.Engine]:
    """The backup restored into a scratch database, removed afterwards."""
    if (folder / SQLITE_FILE).exists():
        with tempfile.TemporaryDirectory() as scratch_dir:
            copy = Path(scratch_dir) / SQLITE_FILE
            shutil.copyfile(folder / SQLITE_FILE, copy)
            engine = sa.create_engine(f"sqlite:///{copy}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    if not (folder / PG_FILE).exists():
        raise BackupError(f"{folder} holds no backup ({SQLITE_FILE} or {PG_FILE})")
    live = db.engine.url
    if live.get_backend_name() != "postgresql":
        raise BackupError("a PostgreSQL backup is checked against a PostgreSQL server: set "
                          "HSM_DATABASE_URL to one (a scratch database is made there)")
    name = f"hsm_restore_check_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(live, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    scratch_url = make_url(live).set(database=name)
    try:
        args, env = _pg_env(scratch_url)
        restore = subprocess.run(  # noqa: S603 - a fixed binary and our own arguments
            [_pg_binary("pg_restore"), *args, "--no-owner", "--exit-on-error",
             "--dbname", name, str(folder / PG_FILE)],
            env=env, capture_output=True, text=True, check=False)
        if restore.returncode != 0:
            raise BackupError(f"pg_restore failed: {restore.stderr.strip()[:500]}")
        engine = sa.create_engine(scratch_url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def check(folder: Path) -> list[str]:
    """Restore ``folder`` into a scratch database and compare it with its manifest.

    Returns the differences in words (empty: the backup is exact). Raises ``BackupError`` when
    the backup cannot be read, or the keys do not open it."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from error
    with _restored(folder) as engine, engine.connect() as connection:
        found = table_digests(connection)
        revision = _revision(connection)
    problems = []
    if revision != manifest.get("revision"):
        problems.append(f"schema revision {revision}, the manifest says {manifest['revision']}")
    expected = manifest.get("tables", {})
    for name in sorted(set(expected) | set(found)):
        want, got = expected.get(name), found.get(name)
        if want is None or got is None:
            problems.append(f"table {name}: in the {'backup' if got else 'manifest'} only")
        elif want["rows"] != got["rows"]:
            problems.append(f"table {name}: {got['rows']} rows, the manifest says {want['rows']}")
        elif want["hmac"] != got["hmac"]:
            problems.append(f"table {name}: the rows differ from the manifest (HMAC); either "
                            f"the backup changed, or HSM_AUDIT_KEY is not the one it was taken "
                            f"with")
    return problems
