"""The guard's built-in checks, one per file (see egress_guard.registry.BUILTIN)."""
