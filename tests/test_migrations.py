"""The table models and the Alembic migrations describe the same schema, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, inspect

import newswire.models
from newswire import migrate
from newswire.db import Database
from newswire.search.backend import is_search_object


def _context(conn: Connection) -> MigrationContext:
    # The full-text index is DDL that the models do not describe (see migrations/env.py).
    return MigrationContext.configure(
        conn, opts={"include_name": lambda name, type_, _parents: not is_search_object(name, type_)}
    )


def test_migrated_database_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        differences = compare_metadata(_context(conn), newswire.models.Base.metadata)
    assert differences == []


def test_migrated_database_is_at_the_newest_revision(database: Database) -> None:
    head = ScriptDirectory.from_config(migrate.alembic_config(database.url)).get_current_head()
    with database.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_the_comparison_sees_differences(database: Database) -> None:
    """Guards the first test: against an empty schema, every table is reported."""
    with database.engine.connect() as conn:
        differences = compare_metadata(_context(conn), MetaData())
    removed = {diff[1].name for diff in differences if diff[0] == "remove_table"}
    assert removed == set(newswire.models.Base.metadata.tables)


def test_migrations_go_down_to_nothing_and_up_again(database: Database) -> None:
    config = migrate.alembic_config(database.url)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    with database.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database)
    with database.engine.connect() as conn:
        differences = compare_metadata(_context(conn), newswire.models.Base.metadata)
    assert differences == []
