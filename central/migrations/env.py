"""Alembic environment: runs the migrations on the connection that central.storage.db.migrate hands in."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from central.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Online migrations only: the service always migrates a live database."""
    connection = config.attributes.get("connection")
    if connection is None:
        with create_engine(config.get_main_option("sqlalchemy.url")).begin() as own:
            context.configure(connection=own, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
