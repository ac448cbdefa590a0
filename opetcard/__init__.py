"""Rules of the Opet Kart shared by the kiosk, the card reader layer and the central service.

A leaf: it imports nothing of this project (``lint-imports`` checks it), so the kiosk and the
service can both depend on it while depending on nothing of each other. Card numbers and their
check digit (:mod:`opetcard.numbers`), how a number or UID may be shown (:mod:`opetcard.masking`),
Turkish casing and name folding (:mod:`opetcard.turkish`), the programme's time zone
(:mod:`opetcard.station_time`) and the API's error codes (:mod:`opetcard.errors`). Each module is imported on its own: the package imports none of them.
"""
