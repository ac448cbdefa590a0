"""Card readers, card profiles (APDU dialogues) and the card emulator.

Layers, lowest first: ``card_number`` (the value read), ``apdu`` (commands and status
words), ``profiles`` (how a kind of card yields its number), ``watcher`` (readers and
card presence through PC/SC), ``emulator`` (a virtual card for vsmartcard's vpcd).
"""
