"""Attendant mode: sign-in sessions, the attendant audit, replacement confirmation codes.

New tables, a nullable column and indexes only: no table rebuild, so SQLite keeps its foreign
keys. Replacements made before this revision keep a null confirmation code.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendant_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('attendant_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['attendant_id'], ['attendants.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_attendant_sessions_token_hash', 'attendant_sessions', ['token_hash'], unique=True)
    op.create_table('attendant_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('attendant_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('new_card_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['attendant_id'], ['attendants.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['new_card_id'], ['cards.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_attendant_actions_attendant_id_id', 'attendant_actions', ['attendant_id', 'id'], unique=False)
    op.add_column('replacements', sa.Column('confirmation_code', sa.String(length=6), nullable=True))
    op.create_index('ix_replacements_confirmation_code', 'replacements', ['confirmation_code'], unique=True)
    op.create_index('ix_holders_birth_date', 'holders', ['birth_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_holders_birth_date', table_name='holders')
    op.drop_index('ix_replacements_confirmation_code', table_name='replacements')
    with op.batch_alter_table('replacements', schema=None) as batch_op:
        batch_op.drop_column('confirmation_code')
    op.drop_index('ix_attendant_actions_attendant_id_id', table_name='attendant_actions')
    op.drop_table('attendant_actions')
    op.drop_index('ix_attendant_sessions_token_hash', table_name='attendant_sessions')
    op.drop_table('attendant_sessions')
