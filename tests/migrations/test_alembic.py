"""Every migration upgrades and downgrades with data present, and the head is the models' schema.

In the style of SecureDrop's ``tests/test_alembic.py``, but generic: the revisions are read
from the migrations folder, and each table is filled from the schema as it stands at that
revision (its columns, types, keys and unique constraints), so a new revision is covered the
day it is added, with no loader to write. The suite runs on SQLite and, with
``HSM_DATABASE_URL`` pointing at PostgreSQL (``tests/tools/with-postgres.sh``), there too.

Landed revisions are frozen: ``FROZEN`` records their content, and a change fails here. Add a
revision instead (``flask --app wsgi db migrate``), and add its hash once it has landed.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from hsm import MIGRATIONS_DIR, create_app
from hsm.extensions import db

# sha256 of each revision file that has landed. Never edit one of these files: add a revision.
FROZEN = {
    "0001_initial_schema.py": "6fe40ef92bfc428ca6d280e27ec5586a4a7d98d1977f9c380a2edac70f58dbe6",
    "0002_outbox_for_email.py": "56812a593d57af77dbd1c5f678a32dcb4af5e3579c674fa6b4ff8ec1773cfdb4",
    "0003_cases.py": "526d5a9a136df2542f9665560efd025dfcf5be43a6428143672c103c3748b5dc",
    "0004_outbox_retries.py": "58186164b7075d717fa88ca58ddfb63458a39afa7398c419ebe7a42337ca5200",
    "0005_letters_issued.py": "482a656c916e580e9ff86e671267a862785a46abae88f0b3489ae5d0dfb3903b",
    "0006_investigation.py": "bb4dfab8a1de133250e6a867c248a087f4fd5d667a957f8884b3ee93075cf582",
    "0007_statistics_snapshots.py":
        "a8f61091a8390c5bf12540ee960c88ea6147e1588fc9e5c515309d46477c9e8e",
    "0008_retention.py": "6e95007701c1bbe4173da32b43da0198aebcabb7d3b212d01f13682fecd73f44",
    "0009_grant_approval.py": "b22e2cbc9814f61349b37d398e2f298ce7e652d01586178a84ba5aefb70a19e3",
    "0010_single_sign_on.py": "09898cc10eee1acd965e6d0111cbbe081f602f53c733aa4141cfd8147f8f7ed6",
    "0011_inbox_keyset_page_versions.py":
        "003b2f763a975536eae78056dff8fa1f93ea31333ec0ca5ffe5e145ef46107ff",
    "0012_hearing_and_outcome.py":
        "18ac649b4fcb83148963e49b727c25b01e464929cd078b158a216d87c36064c7",
    "0013_review_decisions.py": "6bcdc36d47f9faa505ef63183cb4f8d987a9cce79bc7dad54d4f5863b824fa0e",
    "0014_investigation_report_and_shared_copies.py":
        "edd47ef521fed6815f313cd77864714656ce8cdf49dcd7397490dc1e1b36f78f",
    "0015_case_board_order.py": "146240865ce0100072e7ddbdc57a0a15093ccf5767981691252543a157ad8cc8",
    "0016_staff_disciplinary_recommendation.py":
        "67f8fdeec18e9b68af5f01c96a109aa8c9336b6f0ae1977f06a8a5ac9155bb3d",
}
ROWS_PER_TABLE = 3


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def revisions() -> list[tuple[str, str | None]]:
    """(revision, the one before it) from the first to the head."""
    scripts = _scripts()
    ordered = list(reversed(list(scripts.walk_revisions("base", "heads"))))
    return [(r.revision, r.down_revision) for r in ordered]  # type: ignore[misc]


@pytest.fixture
def database_url(tmp_path):
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    url = os.environ.get("HSM_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"hsm_alembic_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def migration_app(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


# --- data that fits whatever the schema is at a revision ------------------------------------

_serial = itertools.count(1)


def _value(column: sa.Column, n: int):
    """A plausible, unique value for ``column`` from its reflected type."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if kind is bool:
        return n % 2 == 0
    if kind is int:
        return n
    if kind is float:
        return n + 0.5
    if kind is Decimal:
        return Decimal(n)
    if kind is datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    if kind is date:
        return date(2026, 1, 1) + timedelta(days=n % 300)
    if kind is bytes:
        return f"bytes-{n}".encode()
    length = getattr(column.type, "length", None) or 40
    return f"{column.name[:8]}-{n}"[-length:]


def _current_tables(conn) -> sa.MetaData:
    meta = sa.MetaData()
    meta.reflect(bind=conn)
    if "alembic_version" in meta.tables:
        meta.remove(meta.tables["alembic_version"])
    return meta


def load_data(conn) -> dict[str, set]:
    """Insert ``ROWS_PER_TABLE`` rows into every table, parents first. Returns their keys."""
    meta = _current_tables(conn)
    keys: dict[str, list] = {}
    for table in meta.sorted_tables:
        keys[table.name] = []
        for _i in range(ROWS_PER_TABLE):
            n = next(_serial)
            row = {}
            for column in table.columns:
                if column.primary_key and column.autoincrement in (True, "auto") and isinstance(
                    column.type, sa.Integer
                ):
                    continue  # the database numbers it
                foreign = next(iter(column.foreign_keys), None)
                if foreign is not None:
                    parents = keys.get(foreign.column.table.name) or []
                    row[column.name] = parents[n % len(parents)] if parents else None
                else:
                    row[column.name] = _value(column, n)
            result = conn.execute(table.insert().values(row))
            [key] = result.inserted_primary_key or [None]
            if key is None:
                key = row[next(iter(table.primary_key.columns)).name]
            keys[table.name].append(key)
    return {name: set(found) for name, found in keys.items()}


def stored_keys(conn) -> dict[str, set]:
    meta = _current_tables(conn)
    found = {}
    for table in meta.sorted_tables:
        [pk] = list(table.primary_key.columns)
        found[table.name] = set(conn.execute(sa.select(pk)).scalars())
    return found


def assert_kept(before: dict[str, set], after: dict[str, set]) -> None:
    """Every row of every table that is still there after the step is still there."""
    for table, keys in before.items():
        if table in after:
            missing = keys - after[table]
            assert not missing, f"{table} lost rows {sorted(missing)}"


def _merge(*maps: dict[str, set]) -> dict[str, set]:
    merged: dict[str, set] = {}
    for found in maps:
        for table, keys in found.items():
            merged.setdefault(table, set()).update(keys)
    return merged


# --- the tests --------------------------------------------------------------------------------


def test_the_revisions_form_one_line():
    found = revisions()
    assert found, "no revisions found"
    assert found[0][1] is None
    assert [down for _rev, down in found[1:]] == [rev for rev, _down in found[:-1]]
    assert len(_scripts().get_heads()) == 1


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_landed_revisions_are_never_edited(name):
    text = (MIGRATIONS_DIR / "versions" / name).read_bytes()
    assert hashlib.sha256(text).hexdigest() == FROZEN[name], (
        f"{name} has landed and is frozen: undo the edit and add a new revision instead"
    )


@pytest.mark.parametrize(("revision", "previous"), revisions())
def test_each_revision_upgrades_and_downgrades_with_data(migration_app, revision, previous):
    before_rev = previous or "base"
    upgrade(revision=before_rev)
    with db.engine.begin() as conn:
        loaded = load_data(conn)

    upgrade(revision=revision)
    with db.engine.begin() as conn:
        upgraded = stored_keys(conn)
        assert_kept(loaded, upgraded)
        loaded_after = load_data(conn)  # data written by the new schema, for the way back

    downgrade(revision=before_rev)
    with db.engine.begin() as conn:
        downgraded = stored_keys(conn)
        assert_kept(_merge(loaded, loaded_after), downgraded)

    # And up again over what the downgrade left.
    upgrade(revision=revision)
    with db.engine.begin() as conn:
        assert_kept(downgraded, stored_keys(conn))


def test_the_head_matches_the_models(migration_app):
    upgrade(revision="heads")
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
        )
    assert diff == [], "run `flask --app wsgi db migrate` and review the new revision"


def test_everything_downgrades_to_nothing_with_data_present(migration_app):
    upgrade(revision="heads")
    with db.engine.begin() as conn:
        load_data(conn)
    downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
