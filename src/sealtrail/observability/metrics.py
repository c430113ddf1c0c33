"""Prometheus metrics; names follow the Prometheus conventions."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_ACCEPTED = Counter(
    "sealtrail_events_accepted_total", "Events accepted by ingest (202), duplicates excluded."
)
EVENTS_DUPLICATE = Counter(
    "sealtrail_events_duplicate_total", "Events resent with an id already accepted (no-op)."
)
EVENTS_REJECTED = Counter(
    "sealtrail_events_rejected_total", "Events or requests rejected by ingest.", ["reason"]
)
EVENTS_STORED = Counter("sealtrail_events_stored_total", "Events written to the event store.")
WORKER_BATCH_SECONDS = Histogram(
    "sealtrail_worker_batch_duration_seconds",
    "Time to store one batch.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
WORKER_FAILURES = Counter(
    "sealtrail_worker_failures_total", "Messages given back to the queue after a failure."
)
QUEUE_DEPTH = Gauge("sealtrail_queue_depth", "Events queued (waiting or in flight).")
QUEUE_IN_FLIGHT = Gauge("sealtrail_queue_in_flight", "Events delivered to a worker, not yet acked.")
QUEUE_OLDEST_AGE = Gauge(
    "sealtrail_queue_oldest_message_age_seconds", "Age of the oldest message in the queue."
)
DLQ_SIZE = Gauge("sealtrail_dlq_size", "Messages in the dead-letter queue.")
DLQ_OLDEST_AGE = Gauge(
    "sealtrail_dlq_oldest_age_seconds",
    "Age of the oldest dead letter (they are kept until replayed).",
)
REQUEST_SECONDS = Histogram(
    "sealtrail_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LOGINS = Counter(
    "sealtrail_logins_total",
    "Login attempts by outcome: success, failure, locked.",
    ["method", "outcome"],
)
RATE_LIMITED = Counter(
    "sealtrail_rate_limited_total", "Requests refused by a rate limit (429).", ["limit"]
)
SELF_AUDIT_FAILURES = Counter(
    "sealtrail_self_audit_failures_total",
    "Self-audit records that could not be queued (each is logged with its content).",
)
AUDIT_STREAMS_OPEN = Gauge(
    "sealtrail_audit_streams_open", "Live-tail connections (GET /api/v1/audit/stream) open."
)
