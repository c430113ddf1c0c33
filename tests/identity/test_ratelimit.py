"""Rate limits: per API key on ingest, per IP address on login; 429 with Retry-After."""

from __future__ import annotations

from sealtrail.ratelimit import MemoryRateLimiter, retry_after
from tests.conftest import event, make_user

URL = "/api/v1/audit/events"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate():
    limiter = MemoryRateLimiter()
    clock = Clock()
    limiter._now = clock
    for _ in range(5):
        assert limiter.take("k", 1, rate=2, burst=5) == 0
    wait = limiter.take("k", 1, rate=2, burst=5)
    assert wait == 0.5
    clock.now += 0.5
    assert limiter.take("k", 1, rate=2, burst=5) == 0
    # Other keys have their own bucket.
    assert limiter.take("other", 5, rate=2, burst=5) == 0
    # A cost larger than the burst can never pass at once.
    assert limiter.take("k2", 6, rate=2, burst=5) > 0
    assert retry_after(0.01) == "1"
    assert retry_after(2.2) == "3"


def test_forgotten_buckets_are_bounded():
    limiter = MemoryRateLimiter(max_keys=3)
    for i in range(10):
        limiter.take(f"k{i}", 1, rate=1, burst=1)
    assert len(limiter._buckets) == 3


def test_ingest_over_the_keys_limit_is_429_and_nothing_is_queued(client, runtime, tenant):
    runtime.settings.ingest_rate_per_key = 0.5
    runtime.settings.ingest_burst_per_key = 10
    batch = [event() for _ in range(10)]
    assert client.post(URL, json=batch, headers=tenant.auth("ingest")).status_code == 202
    depth = runtime.queue.stats().depth
    r = client.post(URL, json=[event(), event()], headers=tenant.auth("ingest"))
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"
    assert runtime.queue.stats().depth == depth
    # Another key of the same tenant has its own budget.
    assert client.post(URL, json=event(), headers=tenant.auth("admin")).status_code == 202


def test_login_attempts_per_ip_are_limited(client, runtime, tenant):
    runtime.settings.login_burst_per_ip = 3
    runtime.settings.login_rate_per_ip = 0.01
    person = make_user(runtime, tenant.name, "analyst")
    body = {"tenant": tenant.name, "email": person.email, "password": "wrong-password!"}
    for _ in range(3):
        assert client.post("/api/v1/auth/login", json=body).status_code == 401
    r = client.post("/api/v1/auth/login", json={**body, "password": person.password})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
