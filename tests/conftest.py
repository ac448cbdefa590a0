"""Test-wide setup: the rigs that start real servers are pytest plugins under tests/rigs/."""

pytest_plugins = [
    "tests.rigs.pcsc",
    "tests.rigs.central",
    "tests.rigs.xvfb",
    "tests.rigs.postgres",
    "tests.rigs.browser",
]
