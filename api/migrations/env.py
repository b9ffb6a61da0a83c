"""Alembic's environment for the API's tables (``api.db.Base``).

Run two ways: by the server at start (``api.migrations.upgrade`` hands over its connection in
``config.attributes["connection"]``), or by a developer with the alembic command line and
``api/migrations/alembic.ini`` (the database comes from ``-x url=...``, else from dcopt's
settings). Migrations are rendered in batch mode so that they also alter SQLite tables.
"""

from __future__ import annotations

import logging.config
from typing import Any

from alembic import context
from sqlalchemy import Connection

from api.db import Base, make_engine
from api.migrations import CONTEXT_OPTIONS

config = context.config
target_metadata = Base.metadata


def _configure(**kw: Any) -> None:
    context.configure(target_metadata=target_metadata, **CONTEXT_OPTIONS, **kw)


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from api.settings import Settings

    return Settings().resolved_database_url


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if config.config_file_name is not None:  # the command line: its logging setup
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        _configure(url=_url(), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


main()
