"""The audit trail: schema, ingest, storage and query of audit events."""
