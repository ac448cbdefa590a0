"""What the balance screen's "Read aloud" button says: the screen's own texts, in its language,
composed to be heard (kiosk.speech speaks them). The card is named by its last four digits
only, said one by one; nothing else of its number is ever spoken."""
from __future__ import annotations

from kiosk.balance import Balance
from kiosk.formatting import format_points, format_spoken_time
from screens import texts
from screens.texts import Gettext


def balance_speech(_: Gettext, balance: Balance, language: str) -> str:
    """The balance screen as one text to read aloud."""
    lines = [
        _("Card ending in {digits}.").format(digits=" ".join(balance.number_last4)),
        _("Petrol & diesel: {points} Paropuan.").format(points=format_points(balance.fuel, language)),
        _("Autogas: {points} Paropuan.").format(points=format_points(balance.autogas, language)),
        texts.status_text(_, balance.status),
        texts.registration_text(_, balance.holder_registered),
        _("Balance as of {time}").format(time=format_spoken_time(balance.as_of, language)) + ".",
    ]
    return " ".join(line for line in lines if line)
