"""Attacks on the running service, performed as the attacker would, over real HTTP.

The ``api`` fixture is the central tests' one: the real service on SQLite, then on PostgreSQL.
"""
from tests.central.conftest import Api, api, empty_database_url  # noqa: F401  (fixtures re-exported for this package)
from tests.security.guarded import guarded  # noqa: E402,F401  (the small-budget service of the limit attacks)
