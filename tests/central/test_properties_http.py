"""Property: the points total changes only by sales and redemptions, whatever the interleaving.

A hypothesis state machine plays sales, redemptions, replacements and retries (same
Idempotency-Key, same body) against the running service, on SQLite and PostgreSQL, and keeps
a model of every card. After each step the service's pots must equal the model's, and the
total over all cards must equal points earned minus points redeemed.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from central.domain.earning import earned_points
from tests.central.conftest import Api, new_card_number, station_now

HOLDER = ("Deniz Işık", "1980-05-17")
POT = {"benzin": "fuel", "dizel": "fuel", "otogaz": "autogas"}
fuel_types = st.sampled_from(sorted(POT))


@dataclass
class ModelCard:
    number: str
    status: str = "not_activated"
    fuel: int = 0
    autogas: int = 0


def check_replay(api: Api, path: str, body: dict[str, object], key: str, first: httpx.Response,
                 headers: dict[str, str]) -> None:
    """Sends the same request again with the same key: same answer, marked as a replay."""
    again = api.http.post(path, json=body, headers={**headers, "Idempotency-Key": key})
    assert again.status_code == first.status_code
    if first.status_code == 201:
        assert again.json() == first.json()
        assert again.headers.get("Idempotent-Replayed") == "true"


def make_machine(api: Api) -> type[RuleBasedStateMachine]:
    till = {"Authorization": f"Bearer {api.till_token}"}
    attendant = {"X-Attendant-Code": api.attendant_code, "X-Attendant-Pin": "4821"}

    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.cards: list[ModelCard] = []
            self.earned = 0
            self.redeemed = 0

        @initialize()
        def two_active_cards(self) -> None:
            for _ in range(2):
                number = new_card_number()
                assert api.register(number, *HOLDER).status_code == 201
                assert api.activate(number, *HOLDER).status_code == 200
                self.cards.append(ModelCard(number, "active"))

        @rule(data=st.data(), fuel_type=fuel_types, amount=st.integers(1, 2_000_000), retry=st.booleans(),
              fresh=st.booleans())
        def sale(self, data, fuel_type: str, amount: int, retry: bool, fresh: bool) -> None:
            if fresh:
                self.cards.append(ModelCard(new_card_number()))
            card = self.cards[-1] if fresh else data.draw(st.sampled_from(self.cards))
            key = uuid.uuid4().hex
            body = {"card_number": card.number, "fuel_type": fuel_type, "amount": amount, "station": "PROP",
                    "sold_at": station_now()}
            response = api.http.post("/v1/sales", json=body, headers={**till, "Idempotency-Key": key})
            if card.status == "replaced":
                assert response.status_code == 409
            else:
                assert response.status_code == 201, response.text
                points = earned_points(amount, 5000)
                assert response.json()["points_earned"] == points
                setattr(card, POT[fuel_type], getattr(card, POT[fuel_type]) + points)
                self.earned += points
            if retry:
                check_replay(api, "/v1/sales", body, key, response, till)

        @rule(data=st.data(), fuel_type=fuel_types, points=st.integers(1, 20_000), retry=st.booleans())
        def redeem(self, data, fuel_type: str, points: int, retry: bool) -> None:
            card = data.draw(st.sampled_from(self.cards))
            key = uuid.uuid4().hex
            body = {"card_number": card.number, "fuel_type": fuel_type, "points": points, "station": "PROP",
                    "redeemed_at": station_now()}
            response = api.http.post("/v1/redemptions", json=body, headers={**till, "Idempotency-Key": key})
            pot = POT[fuel_type]
            if card.status == "active" and getattr(card, pot) >= points:
                assert response.status_code == 201, response.text
                setattr(card, pot, getattr(card, pot) - points)
                self.redeemed += points
            else:
                assert response.status_code == 409, response.text
            if retry:
                check_replay(api, "/v1/redemptions", body, key, response, till)

        @rule(data=st.data(), retry=st.booleans())
        def replace(self, data, retry: bool) -> None:
            old = data.draw(st.sampled_from(self.cards))
            new = ModelCard(new_card_number())
            key = uuid.uuid4().hex
            body = {"old_card_number": old.number, "new_card_number": new.number, "full_name": HOLDER[0],
                    "birth_date": HOLDER[1]}
            headers = {**till, **attendant}
            response = api.http.post("/v1/replacements", json=body, headers={**headers, "Idempotency-Key": key})
            registered = old.status != "not_activated"  # only cards made by initialize() have a holder here
            if old.status == "replaced":
                assert response.status_code == 409
            elif not registered:
                assert response.status_code == 409
                assert response.json()["error"]["code"] == "not_registered"
            else:
                assert response.status_code == 201, response.text
                new.fuel, new.autogas, new.status = old.fuel, old.autogas, "active"
                old.fuel, old.autogas, old.status = 0, 0, "replaced"
                self.cards.append(new)
            if retry:
                check_replay(api, "/v1/replacements", body, key, response, headers)

        @invariant()
        def pots_match_the_model_and_the_total_only_moves_by_sales_and_redemptions(self) -> None:
            total = 0
            for card in self.cards:
                response = api.card(card.number)
                if response.status_code == 404:
                    assert (card.fuel, card.autogas) == (0, 0)
                    continue
                pots = response.json()["pots"]
                assert pots == {"fuel": card.fuel, "autogas": card.autogas}
                assert response.json()["status"] == card.status
                total += pots["fuel"] + pots["autogas"]
            assert total == self.earned - self.redeemed

    return Ledger


def test_points_total_changes_only_by_sales_and_redemptions(api: Api):
    run_state_machine_as_test(
        make_machine(api),
        settings=settings(max_examples=10, stateful_step_count=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
