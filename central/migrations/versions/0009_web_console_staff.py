"""The web console: staff accounts and their sessions, and agents in the audit.

- ``staff_accounts``: call-centre agents and head-office admins (username, argon2 hash, role).
- ``staff_sessions``: signed-in console browsers, the cookie's token stored as its SHA-256.
- ``staff_id`` on ``attendant_actions``, ``card_events`` and ``replacements`` names the agent
  or admin who acted; ``replacements.attendant_id`` may now be null (an agent moved the points)
  and ``replacements.call_reference`` keeps the call's reference.
- The console's changes are booked under a device of kind ``console`` (replacements and
  idempotency keys name a device), made by the console when it first changes something
  (central.staff); a downgrade removes it with its idempotency records.

Only ``replacements`` is rebuilt on SQLite (a column becomes nullable); nothing references it.
The other two get their column by ``ALTER TABLE ... ADD COLUMN ... REFERENCES``, in place.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_staff_sessions_token_hash', 'staff_sessions', ['token_hash'], unique=True)
    op.create_index('ix_staff_sessions_staff_id', 'staff_sessions', ['staff_id'], unique=False)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in ('attendant_actions', 'card_events'):
        if sqlite:  # SQLite adds a column with its reference in place (Alembic would rebuild the table)
            op.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN staff_id INTEGER REFERENCES staff_accounts (id)"))
        else:
            op.add_column(table, sa.Column('staff_id', sa.Integer(), nullable=True))
            op.create_foreign_key(f'fk_{table}_staff_id', table, 'staff_accounts', ['staff_id'], ['id'])
    op.create_index('ix_attendant_actions_staff_id', 'attendant_actions', ['staff_id'], unique=False)
    with op.batch_alter_table('replacements') as batch_op:
        batch_op.alter_column('attendant_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('call_reference', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key('fk_replacements_staff_id', 'staff_accounts', ['staff_id'], ['id'])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM idempotency_records WHERE device_id IN "
                       "(SELECT id FROM devices WHERE kind = 'console')"))
    op.execute(sa.text("DELETE FROM devices WHERE kind = 'console'"))
    with op.batch_alter_table('replacements') as batch_op:
        batch_op.drop_constraint('fk_replacements_staff_id', type_='foreignkey')
        batch_op.drop_column('call_reference')
        batch_op.drop_column('staff_id')
        batch_op.alter_column('attendant_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index('ix_attendant_actions_staff_id', table_name='attendant_actions')
    for table in ('card_events', 'attendant_actions'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('staff_id')
    op.drop_index('ix_staff_sessions_staff_id', table_name='staff_sessions')
    op.drop_index('ix_staff_sessions_token_hash', table_name='staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_table('staff_accounts')
