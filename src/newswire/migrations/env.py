"""Alembic environment: runs migrations on the connection or URL newswire hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from newswire.models import Base
from newswire.search.backend import is_search_object

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The full-text index (an FTS5 table and triggers, or a GIN expression index) is DDL the
    # models cannot describe; autogenerate must neither drop nor recreate it.
    return not is_search_object(name, type_)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///newswire.db")
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
