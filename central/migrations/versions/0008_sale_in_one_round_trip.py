"""A sale in one round trip on PostgreSQL: the function ``opet_sale``.

Everything ``POST /v1/sales`` reads and writes, in one statement the service calls on the event
loop's async connection (central.storage.ledger_pg), instead of a device read and nine
statements from a thread:

0. the device of the bearer token's hash (its current token, or a rotated-out one still in its
   grace period), which must be an unrevoked till: else ``unauthorized`` / ``forbidden``;
1. claim ``(device, Idempotency-Key)``: ``INSERT … ON CONFLICT DO NOTHING`` waits for a
   concurrent twin's transaction; when the key was already answered, the stored answer is
   returned (``replayed``) or, for another request, ``idempotency_key_reused`` is raised;
2. lock the card (``FOR UPDATE``), creating it blank with its ``card_created`` event if new;
   a replaced or blocked card raises ``card_replaced`` / ``card_blocked``;
3. the earn rule in force on the station date (computed by the caller), the points rounded
   down (``amount * rate_ppm / 1 000 000``, central.domain.earning), the sale row, the pot
   moved by ``UPDATE … RETURNING`` with its audit event (``sale:<id>``);
4. the answer stored with the key, and returned.

A raised error rolls the whole statement back: the claimed key too, so a refused sale leaves
nothing behind (a retry runs afresh), exactly as the thread path does. The error's message is
the API's error code. SQLite has no such function: its sales keep the thread path.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPET_SALE = r"""
CREATE FUNCTION opet_sale(
    p_token_hash text, p_token_now timestamp, p_key text, p_request_hash text, p_number text, p_fuel_type text, p_pot text,
    p_amount bigint, p_station text, p_sold_at timestamp, p_station_date date, p_now timestamp,
    OUT status integer, OUT body text, OUT replayed boolean, OUT points bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    p_device integer;
    v_device record;
    v_record record;
    v_card record;
    v_rule record;
    v_sale_id integer;
    v_fuel bigint;
    v_autogas bigint;
BEGIN
    SELECT id, kind, revoked_at IS NOT NULL AS revoked INTO v_device FROM devices WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        SELECT id, kind, (revoked_at IS NOT NULL OR previous_token_expires_at <= p_token_now) AS revoked
        INTO v_device FROM devices WHERE previous_token_hash = p_token_hash;
    END IF;
    IF v_device.id IS NULL OR v_device.revoked THEN
        RAISE EXCEPTION 'unauthorized';
    ELSIF v_device.kind <> 'till' THEN
        RAISE EXCEPTION 'forbidden' USING DETAIL = v_device.kind;
    END IF;
    p_device := v_device.id;

    INSERT INTO idempotency_records (device_id, key, operation, request_hash, created_at)
    VALUES (p_device, p_key, 'sale', p_request_hash, p_now)
    ON CONFLICT (device_id, key) DO NOTHING;
    IF NOT FOUND THEN
        SELECT operation, request_hash, response_status, response_body INTO v_record
        FROM idempotency_records WHERE device_id = p_device AND key = p_key;
        IF v_record.operation <> 'sale' OR v_record.request_hash <> p_request_hash THEN
            RAISE EXCEPTION 'idempotency_key_reused';
        END IF;
        status := v_record.response_status;
        body := v_record.response_body;
        replayed := true;
        points := NULL;
        RETURN;
    END IF;

    SELECT id, number, status, fuel_points, autogas_points INTO v_card
    FROM cards WHERE number = p_number FOR UPDATE;
    IF NOT FOUND THEN
        WITH created AS (
            INSERT INTO cards (number, last10, status, fuel_points, autogas_points, created_at)
            VALUES (p_number, right(p_number, 10), 'not_activated', 0, 0, p_now)
            ON CONFLICT (number) DO NOTHING RETURNING id
        )
        INSERT INTO card_events (card_id, at, kind, delta, status, device_id)
        SELECT id, p_now, 'card_created', 0, 'not_activated', p_device FROM created;
        SELECT id, number, status, fuel_points, autogas_points INTO v_card
        FROM cards WHERE number = p_number FOR UPDATE;
    END IF;
    IF v_card.status = 'replaced' THEN
        RAISE EXCEPTION 'card_replaced';
    ELSIF v_card.status = 'blocked' THEN
        RAISE EXCEPTION 'card_blocked';
    END IF;

    SELECT id, rate_ppm INTO v_rule FROM earn_rules
    WHERE fuel_type = p_fuel_type AND effective_from <= p_station_date
    ORDER BY effective_from DESC LIMIT 1;
    points := CASE WHEN v_rule.id IS NULL THEN 0 ELSE p_amount * v_rule.rate_ppm / 1000000 END;

    INSERT INTO sales (card_id, device_id, fuel_type, amount, station, sold_at, earn_rule_id, points, created_at)
    VALUES (v_card.id, p_device, p_fuel_type, p_amount, p_station, p_sold_at, v_rule.id, points, p_now)
    RETURNING id INTO v_sale_id;

    v_fuel := v_card.fuel_points;
    v_autogas := v_card.autogas_points;
    IF points > 0 THEN
        IF p_pot = 'fuel' THEN
            UPDATE cards SET fuel_points = fuel_points + points WHERE id = v_card.id
            RETURNING fuel_points, autogas_points INTO v_fuel, v_autogas;
        ELSE
            UPDATE cards SET autogas_points = autogas_points + points WHERE id = v_card.id
            RETURNING fuel_points, autogas_points INTO v_fuel, v_autogas;
        END IF;
        INSERT INTO card_events (card_id, at, kind, pot, delta, status, reference, device_id, attendant_id)
        VALUES (v_card.id, p_now, 'sale', p_pot, points, v_card.status, 'sale:' || v_sale_id, p_device, NULL);
    END IF;

    status := 201;
    body := json_build_object(
        'sale_id', v_sale_id, 'number_last4', right(v_card.number, 4), 'fuel_type', p_fuel_type,
        'amount', p_amount, 'pot', p_pot, 'points_earned', points, 'rate_ppm', v_rule.rate_ppm,
        'pots', json_build_object('fuel', v_fuel, 'autogas', v_autogas)
    )::text;
    replayed := false;
    UPDATE idempotency_records SET response_status = status, response_body = body
    WHERE device_id = p_device AND key = p_key;
END $$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(OPET_SALE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION opet_sale")
