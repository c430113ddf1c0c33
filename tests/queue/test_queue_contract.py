"""The queue contract: what every driver must do, checked through the Queue interface.

Drivers are opened by URL, as the runtime opens them; a new driver (NATS JetStream)
joins by adding its URL to `queue_url`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sealtrail.queue import Message, QueueSettings
from sealtrail.queue.base import Queue
from sealtrail.queue.registry import open_queue

DRIVERS = ["sqlite"]
SHORT = QueueSettings(visibility_timeout=0.8, max_deliveries=3)

Opener = Callable[..., Queue]


@pytest.fixture(params=DRIVERS)
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'queue.db'}"


@pytest.fixture
def opener(queue_url: str) -> Iterator[Opener]:
    """Opens (and at the end closes) queue handles on the same storage."""
    opened: list[Queue] = []

    def open_(settings: QueueSettings = SHORT) -> Queue:
        q = open_queue(queue_url, settings, sqlite_synchronous="NORMAL")
        opened.append(q)
        return q

    yield open_
    for q in opened:
        q.close()


def bodies(deliveries) -> list[bytes]:
    return [d.body for d in deliveries]


def msgs(*names: str, tenant_id: int | None = 1) -> list[Message]:
    return [Message(body=n.encode(), tenant_id=tenant_id) for n in names]


def test_delivery_is_in_publish_order_and_honours_the_batch_size(opener: Opener):
    q = opener()
    q.publish(msgs(*(f"m{i}" for i in range(7))))
    assert bodies(q.receive(3)) == [b"m0", b"m1", b"m2"]
    assert bodies(q.receive(3)) == [b"m3", b"m4", b"m5"]
    assert bodies(q.receive(3)) == [b"m6"]
    assert q.receive(3) == []


def test_receive_counts_message_sizes_not_messages(opener: Opener):
    q = opener()
    q.publish(
        [Message(body=f"m{i}".encode(), tenant_id=1, size=n) for i, n in enumerate([3, 4, 2, 1])]
    )
    assert q.stats().depth == 10  # gauges count items, not messages
    got = q.receive(5)  # 3 + 4 reaches 5: the message crossing the limit is included
    assert q.stats().in_flight == 7
    assert bodies(got) == [b"m0", b"m1"]
    assert [d.size for d in got] == [3, 4]
    assert bodies(q.receive(1)) == [b"m2"]  # one message even when it is larger
    assert bodies(q.receive(100)) == [b"m3"]


def test_a_message_of_no_items_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        Message(body=b"x", size=0)


def test_a_dead_letter_keeps_its_size_through_replay(opener: Opener):
    q = opener(QueueSettings(visibility_timeout=60, max_deliveries=1))
    q.publish([Message(body=b"batch", tenant_id=1, size=500)])
    [d] = q.receive(1)
    q.nack(d, "boom")
    [dead] = q.dead_letters()
    assert q.replay([dead.id]) == 1
    [back] = q.receive(1000)
    assert (back.body, back.size) == (b"batch", 500)


def test_a_leased_message_is_hidden_until_its_visibility_timeout_then_comes_back(
    opener: Opener,
):
    q = opener()
    q.publish(msgs("a"))
    first = q.receive(10)
    assert bodies(first) == [b"a"]
    assert first[0].deliveries == 1
    assert q.receive(10) == []  # hidden while leased
    time.sleep(SHORT.visibility_timeout + 0.1)
    again = q.receive(10)
    assert bodies(again) == [b"a"]
    assert again[0].deliveries == 2


def test_an_acked_message_is_gone_for_good(opener: Opener):
    q = opener()
    q.publish(msgs("a", "b"))
    got = q.receive(10)
    q.ack([d for d in got if d.body == b"a"])
    time.sleep(SHORT.visibility_timeout + 0.1)
    assert bodies(q.receive(10)) == [b"b"]
    assert q.stats().depth == 1


def test_nack_gives_the_message_back_after_the_delay_with_the_reason_kept(opener: Opener):
    q = opener()
    q.publish(msgs("a"))
    (d,) = q.receive(10)
    q.nack(d, "database busy", delay=0.2)
    assert q.receive(10) == []
    time.sleep(0.3)
    assert bodies(q.receive(10)) == [b"a"]


def test_after_max_deliveries_a_message_goes_to_the_dead_letter_queue(opener: Opener):
    q = opener()
    q.publish(msgs("poison", "fine"))
    for attempt in range(1, SHORT.max_deliveries + 1):
        got = {d.body: d for d in q.receive(10)}
        assert got[b"poison"].deliveries == attempt
        q.ack([got.pop(b"fine")] if b"fine" in got else [])
        q.nack(got[b"poison"], f"cannot store: attempt {attempt}")
    assert q.receive(10) == []
    (dead,) = q.dead_letters()
    assert dead.body == b"poison"
    assert dead.tenant_id == 1
    assert dead.deliveries == SHORT.max_deliveries
    assert dead.reason == f"cannot store: attempt {SHORT.max_deliveries}"
    stats = q.stats()
    assert (stats.depth, stats.dead_letters) == (0, 1)


def test_a_message_never_acked_is_dead_lettered_once_its_deliveries_run_out(opener: Opener):
    q = opener()
    q.publish(msgs("lost"))
    for _ in range(SHORT.max_deliveries):
        assert bodies(q.receive(10)) == [b"lost"]
        time.sleep(SHORT.visibility_timeout + 0.05)
    assert q.receive(10) == []
    (dead,) = q.dead_letters()
    assert "visibility timeout" in dead.reason


def bury(q: Queue, *names: str, tenant_id: int = 1) -> None:
    q.publish(msgs(*names, tenant_id=tenant_id))
    for _ in range(SHORT.max_deliveries):
        for d in q.receive(100):
            q.nack(d, "test failure")


def test_dead_letters_list_by_tenant_with_a_cursor_and_replay_puts_them_back(opener: Opener):
    q = opener()
    bury(q, "a1", "a2", "a3", tenant_id=1)
    bury(q, "b1", tenant_id=2)
    assert bodies(q.dead_letters(tenant_id=2)) == [b"b1"]
    first = q.dead_letters(tenant_id=1, limit=2)
    assert bodies(first) == [b"a1", b"a2"]
    assert bodies(q.dead_letters(tenant_id=1, after=first[-1].id)) == [b"a3"]
    # replay of another tenant's id through a tenant filter moves nothing
    b1 = q.dead_letters(tenant_id=2)[0].id
    assert q.replay([b1], tenant_id=1) == 0
    assert q.replay([first[0].id], tenant_id=1) == 1
    (back,) = q.receive(10)
    assert back.body == b"a1"
    assert back.deliveries == 1  # a replayed message gets a full set of deliveries
    assert q.replay(tenant_id=1) == 2
    assert sorted(bodies(q.receive(10))) == [b"a2", b"a3"]
    assert bodies(q.dead_letters()) == [b"b1"]


def test_stats_report_the_age_of_the_oldest_dead_letter(opener: Opener):
    q = opener()
    assert q.stats().oldest_dead_letter_age_seconds == 0.0
    bury(q, "old")
    deadline = time.monotonic() + 10
    while q.stats().oldest_dead_letter_age_seconds < 0.3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    bury(q, "new")
    stats = q.stats()
    assert stats.dead_letters == 2
    assert stats.oldest_dead_letter_age_seconds >= 0.3


def test_stats_report_depth_in_flight_oldest_age_and_dead_letters(opener: Opener):
    q = opener()
    assert q.stats().depth == 0
    assert q.stats().oldest_age_seconds == 0.0
    q.publish(msgs("a", "b", "c"))
    time.sleep(0.2)
    q.receive(1)
    stats = q.stats()
    assert (stats.depth, stats.in_flight, stats.dead_letters) == (3, 1, 0)
    assert 0.2 <= stats.oldest_age_seconds < 5


def test_published_messages_survive_closing_and_reopening(opener: Opener):
    settings = QueueSettings(visibility_timeout=1.5, max_deliveries=5)
    q = opener(settings)
    q.publish(msgs(*(f"m{i}" for i in range(50))))
    leased = q.receive(10)  # leased but never acked
    q.close()
    reopened = opener(settings)
    got = reopened.receive(100)
    assert bodies(got) == [f"m{i}".encode() for i in range(10, 50)]
    reopened.ack(got)
    time.sleep(1.6)
    assert bodies(reopened.receive(100)) == bodies(leased)


def test_concurrent_consumers_share_the_work_without_double_delivery(opener: Opener):
    settings = QueueSettings(visibility_timeout=30, max_deliveries=5)
    producer = opener(settings)
    total = 600
    producer.publish(msgs(*(f"m{i}" for i in range(total))))
    seen: list[list[bytes]] = [[], [], []]

    def consume(slot: int) -> None:
        q = opener(settings)  # its own handle, as a second worker process would have
        while True:
            got = q.receive(25)
            if not got:
                return
            seen[slot].extend(bodies(got))
            q.ack(got)

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    everything = [b for part in seen for b in part]
    assert len(everything) == total
    assert set(everything) == {f"m{i}".encode() for i in range(total)}
    assert producer.stats().depth == 0


def test_nack_with_what_remains_replaces_body_and_size_in_the_queue_and_the_dlq(opener: Opener):
    q = opener()
    q.publish([Message(body=b"a,b,c", tenant_id=1, size=3)])
    for attempt in range(1, SHORT.max_deliveries + 1):
        (d,) = q.receive(10)
        assert (d.body, d.size) == ((b"a,b,c", 3) if attempt == 1 else (b"b", 1))
        q.nack(d, "b failed", remaining=Message(body=b"b", tenant_id=1, size=1))
    assert q.receive(10) == []
    (dead,) = q.dead_letters()
    assert (dead.body, dead.size, dead.reason) == (b"b", 1, "b failed")
