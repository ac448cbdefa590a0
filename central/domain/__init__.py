"""Domain: the rules of cards, points, attendants and devices; plain values and domain errors, no HTTP."""
