"""Central balance service: the Opet Kart loyalty ledger behind kiosks, tills and the SMS gateway.

It shares nothing with the kiosk packages but the HTTP contract in docs/ARCHITECTURE.md.
"""
