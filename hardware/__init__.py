"""Card readers, card profiles (APDU dialogues) and the card emulator.

Layers, lowest first: ``card_number``/``card_uid`` (the values read), ``apdu`` (commands and
status words), ``profiles`` (how a kind of card yields its number; ``profiles.config`` checks
and builds them from configuration), ``pcsc`` (typed pyscard calls), ``reading`` (profiles
tried in order), ``watcher`` (readers and card presence through PC/SC), ``readers`` (a snapshot
for diagnostics), ``cli`` (``opet-reader``), ``emulator`` (a virtual card for vsmartcard's vpcd).
"""
