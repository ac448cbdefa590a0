"""Storage: SQLAlchemy models, engines, queries, the idempotency store and the limits table."""
