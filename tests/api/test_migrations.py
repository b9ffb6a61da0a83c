"""The API's database schema comes from the Alembic migrations in api/migrations.

An empty database is brought to head with exactly the models' tables; a database made by
dcopt 0.1 (``create_all``, no migration record) is stamped and upgraded with its rows kept;
and the models compare equal to head, so a model change without a migration fails here.

The 0.1 database is made from :data:`V01`, a frozen copy of 0.1's ``runs`` table, not from
today's models: those will change, and a 0.1 database will not. While head is revision 0001,
V01, revision 0001 and ``create_all`` of today's models are the same tables (tested below).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from api import migrations
from api.db import Base, RunRecord, make_engine, session_factory
from tests.api.live import DCOPT

V01 = sa.MetaData()
V01_RUNS = sa.Table(
    "runs",
    V01,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("owner", sa.String(64), nullable=True, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("progress", sa.Float, nullable=False),
    sa.Column("stage", sa.String(200), nullable=False),
    sa.Column("summary", sa.JSON, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.JSON, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)
"""The ``runs`` table as dcopt 0.1's ``create_all`` made it (never edit: 0.1 is released)."""


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables → columns (name, type's class, nullable) and indexes, as the database has them."""
    insp = sa.inspect(engine)
    out: dict[str, Any] = {}
    for table in insp.get_table_names():
        cols = {
            c["name"]: (type(c["type"]).__name__, c["nullable"]) for c in insp.get_columns(table)
        }
        idx = {
            (i["name"], tuple(i["column_names"]), bool(i["unique"]))
            for i in insp.get_indexes(table)
        }
        out[table] = {"columns": cols, "indexes": idx, "pk": insp.get_pk_constraint(table)}
    return out


def _diff(engine: Engine, metadata: sa.MetaData = Base.metadata) -> list[Any]:
    with engine.connect() as conn:
        return migrations.differences(conn, metadata)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return migrations.current(conn)


def test_empty_database_to_head_has_exactly_the_models_tables(engine: Engine) -> None:
    migrations.upgrade(engine)
    assert _revision(engine) == migrations.head()
    schema = _schema(engine)
    assert set(schema) == {*Base.metadata.tables, migrations.VERSION_TABLE}
    for name, table in Base.metadata.tables.items():
        got = schema[name]
        assert set(got["columns"]) == {c.name for c in table.columns}
        for column in table.columns:
            assert got["columns"][column.name][1] == column.nullable, column.name
        assert got["pk"]["constrained_columns"] == [c.name for c in table.primary_key]
        want = {(i.name, tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes}
        assert got["indexes"] == want


def test_head_matches_create_all(tmp_path: Path) -> None:
    """Head is what ``create_all`` of today's models makes, table by table (SQLite)."""
    migrated, created = (make_engine(f"sqlite:///{tmp_path / n}.db") for n in ("m", "c"))
    migrations.upgrade(migrated)
    Base.metadata.create_all(created)
    a, b = _schema(migrated), _schema(created)
    a.pop(migrations.VERSION_TABLE)
    assert a == b
    migrated.dispose()
    created.dispose()


def test_models_and_head_do_not_differ(engine: Engine) -> None:
    """Autogenerate finds nothing to do: a model change without a migration fails here."""
    migrations.upgrade(engine)
    assert _diff(engine) == []


def test_the_compare_sees_a_model_change(engine: Engine) -> None:
    """The check above can fail: a column added to a model (and no migration) is found."""
    migrations.upgrade(engine)
    changed = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    extra = sa.Column("column_without_migration", sa.Integer(), nullable=True)
    sa.Table("runs", changed, extra, extend_existing=True)
    diff = _diff(engine, changed)
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "column_without_migration")]


def test_revision_0001_makes_the_tables_of_0_1(tmp_path: Path) -> None:
    at_0001, made_by_01 = (make_engine(f"sqlite:///{tmp_path / n}.db") for n in ("r", "v"))
    with at_0001.begin() as conn:
        command.upgrade(migrations.config(conn), migrations.FIRST_REVISION)
    V01.create_all(made_by_01)
    a, b = _schema(at_0001), _schema(made_by_01)
    a.pop(migrations.VERSION_TABLE)
    assert a == b
    assert set(b["runs"]["columns"]) == migrations.V01_RUNS_COLUMNS
    at_0001.dispose()
    made_by_01.dispose()


def test_database_of_dcopt_0_1_is_stamped_and_upgraded(engine: Engine) -> None:
    V01.create_all(engine)  # how 0.1 made its tables; no alembic_version
    created = dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            V01_RUNS.insert().values(
                id="a" * 32,
                kind="run",
                status="optimal",
                owner="team-a",
                name="kept",
                options={"report": False},
                created_at=created,
                attempts=1,
                progress=1.0,
                stage="done",
                summary={"objective": 12.5},
            )
        )
    assert migrations.VERSION_TABLE not in sa.inspect(engine).get_table_names()

    migrations.upgrade(engine)

    assert _revision(engine) == migrations.head()
    with session_factory(engine)() as session:
        rows = session.scalars(sa.select(RunRecord)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.id, row.status, row.owner, row.name) == ("a" * 32, "optimal", "team-a", "kept")
    assert (row.attempts, row.progress, row.stage) == (1, 1.0, "done")
    assert row.options == {"report": False} and row.summary == {"objective": 12.5}
    assert row.created_at == created and row.result is None
    assert _diff(engine) == []


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    migrations.upgrade(engine)
    before = _schema(engine)
    migrations.upgrade(engine)
    assert _schema(engine) == before and _revision(engine) == migrations.head()


def test_foreign_runs_table_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE runs (id VARCHAR(10) PRIMARY KEY, colour TEXT)"))
    with pytest.raises(migrations.SchemaError, match=r"not those of dcopt 0\.1"):
        migrations.upgrade(engine)
    assert migrations.VERSION_TABLE not in sa.inspect(engine).get_table_names()


def test_database_of_a_newer_dcopt_is_refused(engine: Engine) -> None:
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrations.SchemaError, match=r"'9999'.*newer dcopt"):
        migrations.upgrade(engine)


def test_app_start_migrates_its_database(make_client: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    client = make_client(database_url=url)
    assert client.get("/health").status_code == 200
    eng = make_engine(url)
    assert _revision(eng) == migrations.head()
    eng.dispose()


def test_scripts_ship_in_the_package() -> None:
    """The scripts are package files (found by setuptools), not a folder beside the code."""
    from setuptools import find_packages

    root = Path(migrations.__file__).parents[2]
    assert "api.migrations.versions" in find_packages(root, include=["api*"])
    assert (migrations.SCRIPTS / "env.py").is_file()
    assert (migrations.SCRIPTS / "script.py.mako").is_file()


def test_serve_refuses_a_newer_database_in_one_line(tmp_path: Path) -> None:
    """``dcopt serve`` on a database a newer dcopt upgraded: a message, no traceback."""
    data = tmp_path / "data"
    data.mkdir()
    eng = make_engine(f"sqlite:///{data / 'dcopt.db'}")
    migrations.upgrade(eng)
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    eng.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DCOPT_")}
    proc = subprocess.run(
        [str(DCOPT), "serve", "--data-dir", str(data), "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "schema revision '9999'" in proc.stderr and "newer dcopt" in proc.stderr
