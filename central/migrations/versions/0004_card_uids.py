"""Contactless card UIDs: a card's chip UID, unique, resolved by ``GET /v1/cards/by-uid/{uid}``.

A nullable column and a unique index: no table rebuild, so SQLite keeps its foreign keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cards', sa.Column('uid', sa.String(length=20), nullable=True))
    op.create_index('ix_cards_uid', 'cards', ['uid'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_cards_uid', table_name='cards')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('uid')
