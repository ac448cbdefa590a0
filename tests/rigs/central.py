"""Central service rig (being written)."""
