"""The ledger: earn rules, sales, redemptions, replacements, attendants, audit trail, idempotency.

Seeds the 0.5 % earn rules from 2015-06-10 and gives every existing non-zero pot an
`opening_balance` event, so that each pot equals the sum of its events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_pin_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('earn_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fuel_type', sa.String(length=16), nullable=False),
    sa.Column('rate_ppm', sa.Integer(), nullable=False, comment='points per million of the amount; 0.5 % = 5000'),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fuel_type', 'effective_from')
    )
    op.create_table('idempotency_records',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('operation', sa.String(length=32), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('device_id', 'key')
    )
    op.create_table('card_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('pot', sa.String(length=16), nullable=True),
    sa.Column('delta', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment="the card's status after the change"),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('attendant_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attendant_id'], ['attendants.id'], ),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('card_events', schema=None) as batch_op:
        batch_op.create_index('ix_card_events_card_id_id', ['card_id', 'id'], unique=False)

    op.create_table('redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('fuel_type', sa.String(length=16), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemptions_card_id'), ['card_id'], unique=False)

    op.create_table('replacements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_card_id', sa.Integer(), nullable=False),
    sa.Column('new_card_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('attendant_id', sa.Integer(), nullable=False),
    sa.Column('fuel_moved', sa.BigInteger(), nullable=False),
    sa.Column('autogas_moved', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attendant_id'], ['attendants.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['new_card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['old_card_id'], ['cards.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('old_card_id')
    )
    op.create_table('sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('fuel_type', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False, comment='kuruş'),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('sold_at', sa.DateTime(), nullable=False),
    sa.Column('earn_rule_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['earn_rule_id'], ['earn_rules.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_card_id'), ['card_id'], unique=False)

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_heartbeat', sa.Text(), nullable=True))
    _seed_earn_rules()
    _open_balances()


def _seed_earn_rules() -> None:
    rules = sa.table(
        'earn_rules',
        sa.column('fuel_type', sa.String),
        sa.column('rate_ppm', sa.Integer), sa.column('effective_from', sa.Date),
    )
    start = dt.date(2015, 6, 10)
    op.bulk_insert(rules, [
        {'fuel_type': 'benzin', 'rate_ppm': 5000, 'effective_from': start},
        {'fuel_type': 'dizel', 'rate_ppm': 5000, 'effective_from': start},
        {'fuel_type': 'otogaz', 'rate_ppm': 5000, 'effective_from': start},
    ])


def _open_balances() -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for pot, column in (('fuel', 'fuel_points'), ('autogas', 'autogas_points')):
        op.get_bind().execute(
            sa.text(
                "INSERT INTO card_events (card_id, at, kind, pot, delta, status) "
                f"SELECT id, :at, 'opening_balance', '{pot}', {column}, status FROM cards WHERE {column} <> 0"
            ),
            {'at': now},
        )



def downgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('last_heartbeat')
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_card_id'))

    op.drop_table('sales')
    op.drop_table('replacements')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemptions_card_id'))

    op.drop_table('redemptions')
    with op.batch_alter_table('card_events', schema=None) as batch_op:
        batch_op.drop_index('ix_card_events_card_id_id')

    op.drop_table('card_events')
    op.drop_table('idempotency_records')
    op.drop_table('earn_rules')
    op.drop_table('attendants')
