"""Export requests: their life cycle, storage, checking by the egress guard, review and release."""
