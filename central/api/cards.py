"""Balance look-up: ``GET /v1/cards/{number}``."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.auth import AuthenticatedDevice, require_device
from central.deps import reader_session
from central.errors import ApiError, error_responses
from central.models import Card, DeviceKind, utcnow
from central.numbers import MalformedNumber, parse_card_number
from central.schemas import CardView, Entry
from central.views import card_view

router = APIRouter(prefix="/v1/cards", tags=["cards"])

NumberPath = Path(description="The 16-digit card number (spaces between groups allowed).")


def card_number(number: str = NumberPath) -> str:
    """The path's card number, or 400 ``malformed_number``."""
    try:
        return parse_card_number(number)
    except MalformedNumber as exc:
        raise ApiError(400, "malformed_number", str(exc)) from None


@router.get("/{number}", response_model=CardView, responses=error_responses(400, 401, 403, 404, 422, 429))
def look_up(
    _device: AuthenticatedDevice = Depends(require_device(DeviceKind.KIOSK, DeviceKind.TILL, DeviceKind.GATEWAY)),
    number: str = Depends(card_number),
    entry: Entry = Entry.TYPED,
    session: Session = Depends(reader_session),
) -> CardView:
    """The card's status and both pots. ``entry`` says whether the number was tapped or typed."""
    card = session.scalars(select(Card).where(Card.number == number)).one_or_none()
    if card is None:
        raise ApiError(404, "unknown_card", "no card with this number")
    return card_view(card, utcnow())
