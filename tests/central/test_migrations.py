"""Alembic migrations on real SQLite and PostgreSQL: they build exactly the models' schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from central.storage.db import Database, migrate
from central.storage.models import Base, Card, CardEvent


def test_migrations_build_the_models_schema_and_are_repeatable(empty_database_url: str):
    migrate(empty_database_url)
    migrate(empty_database_url)  # a second run is a no-op
    database = Database.connect(empty_database_url)
    try:
        with database.write_engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
    finally:
        database.dispose()


def test_second_migration_opens_the_balances_of_existing_cards(empty_database_url: str):
    from alembic import command

    from central.storage.db import alembic_config

    command.upgrade(alembic_config(empty_database_url), "0001")
    database = Database.connect(empty_database_url)
    try:
        with database.transaction() as session:
            session.execute(text(
                "INSERT INTO cards (number, last10, status, fuel_points, autogas_points, created_at) "
                "VALUES ('7000070012806566', '0012806566', 'active', 1234, 0, CURRENT_TIMESTAMP)"
            ))
        migrate(empty_database_url)
        with database.reader() as session:
            card = session.scalars(select(Card)).one()
            events = session.execute(select(CardEvent.kind, CardEvent.pot, CardEvent.delta)).all()
            rules = session.execute(text("SELECT count(*) FROM earn_rules")).scalar_one()
            assert events == [("opening_balance", "fuel", 1234)]
            assert session.scalar(select(func.sum(CardEvent.delta))) == card.fuel_points
            assert rules == 3
    finally:
        database.dispose()


def test_attendant_mode_migration_goes_down_and_up_again(empty_database_url: str):
    from alembic import command

    from central.storage.db import alembic_config

    migrate(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "0004")
    migrate(empty_database_url)
    database = Database.connect(empty_database_url)
    try:
        with database.reader() as session:
            assert session.execute(text("SELECT count(*) FROM attendant_actions")).scalar_one() == 0
    finally:
        database.dispose()
