"""Alembic migrations of the API's tables, shipped inside the package (a wheel has them).

The server calls :func:`upgrade` when it starts: an empty database is brought to the newest
revision (``head``); a database of an earlier dcopt is altered step by step. A database made
by dcopt 0.1 (tables from ``create_all``, no ``alembic_version`` table) is recognised by its
``runs`` table, stamped at the first revision (which creates exactly those tables) and then
upgraded. How to add a revision: docs/api.md, "Database migrations".
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Engine, MetaData, inspect, text

from optimizer.errors import DcoptError

if TYPE_CHECKING:  # alembic is imported when used, quietly: importing it logs 8 INFO lines
    from alembic.autogenerate.api import AutogenContext
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

SCRIPTS = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
"""The revision that creates the tables of dcopt 0.1 exactly."""
VERSION_TABLE = "alembic_version"
V01_RUNS_COLUMNS = frozenset(
    {
        "id", "kind", "status", "owner", "name", "options", "created_at", "started_at",
        "finished_at", "attempts", "progress", "stage", "summary", "result", "error", "note",
    }
)  # fmt: skip
"""The columns of the ``runs`` table that dcopt 0.1 made with ``create_all``."""
_PG_LOCK_KEY = 0x64636F7074  # "dcopt": one server at a time migrates a PostgreSQL database


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write the project's column types as plain SQLAlchemy types in a new revision, so that a
    migration never imports model code (which changes after the migration was written)."""
    from api.db import UtcDateTime

    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


CONTEXT_OPTIONS: dict[str, Any] = {
    "render_as_batch": True,  # ALTERs that SQLite cannot do become copy-and-move
    "compare_type": True,
    "render_item": render_item,
}
"""How env.py configures Alembic; :func:`differences` compares with the same options."""


class SchemaError(DcoptError):
    """The database cannot be brought to this version's schema (the message says why);
    ``dcopt serve`` prints it as one line and exits, without a traceback."""


@contextlib.contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs a dozen INFO lines when imported and per run (its plugins, the dialect);
    the server logs one line about its schema instead."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(max(logging.WARNING, level))
    try:
        yield
    finally:
        logger.setLevel(level)


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the scripts in this package (no alembic.ini needed)."""
    with _quiet_alembic():
        from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision of the shipped scripts."""
    rev = _scripts(config()).get_current_head()
    assert rev is not None, "no migration scripts in api/migrations/versions"
    return rev


def current(connection: Connection) -> str | None:
    """The revision a database is at (None: never stamped)."""
    return _context(connection).get_current_revision()


def differences(connection: Connection, metadata: MetaData | None = None) -> list[Any]:
    """What autogenerate would write to bring the database to ``metadata`` (the models by
    default); empty when the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata

    from api.db import Base

    ctx = _context(connection, CONTEXT_OPTIONS)
    return list(compare_metadata(ctx, metadata if metadata is not None else Base.metadata))


def upgrade(engine: Engine) -> None:
    """Bring the database of ``engine`` to ``head``; stamp a dcopt 0.1 database first."""
    with _quiet_alembic(), engine.begin() as conn:
        from alembic import command

        if conn.dialect.name == "postgresql":  # two servers starting at once: one migrates
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        cfg = config(conn)
        tables = set(inspect(conn).get_table_names())
        if VERSION_TABLE not in tables and "runs" in tables:
            _stamp_v01(conn, cfg)
        at = current(conn)
        if at is not None and not _known(_scripts(cfg), at):
            raise SchemaError(
                f"the database is at schema revision {at!r}, which this dcopt does not know "
                f"(its newest is {head()!r}): it was upgraded by a newer dcopt; run that "
                "version, or restore a backup of the database made before the upgrade"
            )
        command.upgrade(cfg, "head")
        now = current(conn)
        if at is None:
            log.info("database schema created at revision %s", now)
        elif now != at:
            log.warning("database schema upgraded from revision %s to %s", at, now)
        else:
            log.info("database schema at revision %s", now)


def _context(connection: Connection, opts: dict[str, Any] | None = None) -> MigrationContext:
    with _quiet_alembic():
        from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection, opts=dict(opts or {}))


def _scripts(cfg: Config) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(cfg)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    return any(script.revision == revision for script in scripts.walk_revisions())


def _stamp_v01(conn: Connection, cfg: Config) -> None:
    columns = {c["name"] for c in inspect(conn).get_columns("runs")}
    if columns != V01_RUNS_COLUMNS:
        missing, extra = V01_RUNS_COLUMNS - columns, columns - V01_RUNS_COLUMNS
        raise SchemaError(
            "the database has a 'runs' table but no migration record, and its columns are "
            f"not those of dcopt 0.1 (missing: {sorted(missing)}, unexpected: {sorted(extra)}); "
            "it was not made by dcopt: point DCOPT_DATABASE_URL at another database"
        )
    log.warning(
        "database made by dcopt 0.1 (no migration record): stamped at revision %s",
        FIRST_REVISION,
    )
    from alembic import command

    command.stamp(cfg, FIRST_REVISION)
