"""Self-audit: every change on the platform, every login and every search by a person
becomes an audit event in the tenant's own trail (`AuditMiddleware`, `QueueSink`)."""
