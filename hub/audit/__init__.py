"""The audit log: an append-only, hash-chained record of every state change.

Each event carries the hash of the previous one, so an edit, a deletion or a reordering of
any event breaks the chain at that point, and `verify()` names the first bad event.
`record()` appends in the caller's transaction, so a state change and its audit event are
committed together or not at all. Appends are serialised through the single `audit_head`
row (locked FOR UPDATE on PostgreSQL; SQLite takes its write lock at BEGIN), so concurrent
writers never fork the chain.

Event names are a schema that compliance reports depend on: add new ones, never rename.
"""

from hub.audit.chain import (
    EVENTS,
    GENESIS_HASH,
    ChainReport,
    event_hash,
    export_jsonl,
    lock_head,
    record,
    verify,
)
from hub.audit.models import AuditEvent, AuditHead

__all__ = [
    "EVENTS",
    "GENESIS_HASH",
    "AuditEvent",
    "AuditHead",
    "ChainReport",
    "event_hash",
    "export_jsonl",
    "lock_head",
    "record",
    "verify",
]
