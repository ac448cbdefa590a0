"""Token rotation, split gateway kinds, disabled attendants, the demo-database mark.

- ``devices.previous_token_hash`` / ``previous_token_expires_at``: after ``rotate-device`` the
  old token keeps working until that time (the grace period), then stops.
- ``attendants.disabled_at``: ``disable-attendant`` sets it; a disabled attendant cannot sign in.
- ``database_marks``: ``demo-data`` marks the database it filled, so it may run there again.
- The ``gateway`` kind is split into ``sms_gateway`` (``/v1/sms/inbound`` only) and
  ``operations`` (look-ups, online activation, audit trail, attendant audit, fleet). Existing
  ``gateway`` devices become ``sms_gateway``: the token an SMS integration holds keeps
  working for SMS and loses everything else; operations get a new token made on purpose
  (``add-device --kind operations``). A downgrade turns both back into ``gateway``.

New columns are nullable and the table is new: no table rebuild, so SQLite keeps its foreign keys.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('previous_token_hash', sa.String(length=64), nullable=True))
    op.add_column('devices', sa.Column('previous_token_expires_at', sa.DateTime(), nullable=True))
    op.create_index('ix_devices_previous_token_hash', 'devices', ['previous_token_hash'], unique=True)
    op.add_column('attendants', sa.Column('disabled_at', sa.DateTime(), nullable=True))
    op.create_table('database_marks',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.execute("UPDATE devices SET kind = 'sms_gateway' WHERE kind = 'gateway'")


def downgrade() -> None:
    op.execute("UPDATE devices SET kind = 'gateway' WHERE kind IN ('sms_gateway', 'operations')")
    op.drop_table('database_marks')
    op.drop_column('attendants', 'disabled_at')
    op.drop_index('ix_devices_previous_token_hash', table_name='devices')
    op.drop_column('devices', 'previous_token_expires_at')
    op.drop_column('devices', 'previous_token_hash')
