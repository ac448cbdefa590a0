"""Limits and lockouts in the database: the ``limits`` table (central.storage.limits).

On PostgreSQL the table is UNLOGGED (see central/README.md, "Load figures"): a crash or a
fail-over starts every budget afresh. The attendant lockout moves there, counted by the code as typed, so the two columns of
``attendants`` that held it go (a lockout in progress is forgotten by this upgrade).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('limits',
    sa.Column('scope', sa.String(length=24), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('tat_us', sa.BigInteger(), nullable=False),
    sa.Column('granted', sa.Integer(), nullable=False),
    sa.Column('strikes', sa.Integer(), nullable=False),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('locked_until_us', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('scope', 'subject')
    )
    if op.get_bind().dialect.name == 'postgresql':
        # Look-ups update these rows on the event loop: room on the page keeps each update HOT,
        # and no WAL means the loop never waits on WAL writes (central/README.md, "Limits").
        op.execute('ALTER TABLE limits SET (fillfactor = 50)')
        op.execute('ALTER TABLE limits SET UNLOGGED')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35 too): no table rebuild, foreign keys kept.
    op.drop_column('attendants', 'failed_pin_attempts')
    op.drop_column('attendants', 'locked_until')


def downgrade() -> None:
    op.add_column('attendants', sa.Column('locked_until', sa.DateTime(), nullable=True))
    op.add_column('attendants', sa.Column('failed_pin_attempts', sa.Integer(), nullable=False, server_default='0'))
    op.drop_table('limits')
