"""pcscd + vsmartcard vpcd rig (being written)."""
