"""Keyed publishing: the queue records idempotency keys and the message in one step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sealtrail.queue import KeyedQueue, Message, QueueSettings
from sealtrail.queue.sqlite import SQLiteQueue


@pytest.fixture
def queue(tmp_path: Path):
    q = SQLiteQueue(tmp_path / "queue.db", QueueSettings())
    yield q
    q.close()


def publish(q: KeyedQueue, digests: dict[bytes, bytes], scope: int = 1) -> dict[bytes, bytes]:
    return q.publish_once(
        scope, digests, lambda fresh: Message(body=b",".join(fresh), size=len(fresh))
    )


def bodies(q: KeyedQueue) -> list[bytes]:
    """Take and acknowledge everything queued."""
    deliveries = q.receive(1000)
    q.ack(deliveries)
    return [d.body for d in deliveries]


def test_new_keys_are_recorded_with_their_message(queue: SQLiteQueue):
    assert publish(queue, {b"a": b"1", b"b": b"2"}) == {}
    assert bodies(queue) == [b"a,b"]


def test_known_keys_come_back_with_their_digests_and_only_new_ones_are_published(
    queue: SQLiteQueue,
):
    publish(queue, {b"a": b"1"})
    assert publish(queue, {b"a": b"1", b"b": b"2"}) == {b"a": b"1"}
    assert bodies(queue) == [b"a", b"b"]


def test_a_resend_of_known_keys_only_publishes_nothing(queue: SQLiteQueue):
    publish(queue, {b"a": b"1"})
    bodies(queue)
    assert publish(queue, {b"a": b"1"}) == {b"a": b"1"}
    assert queue.stats().depth == 0


def test_a_clashing_digest_writes_nothing(queue: SQLiteQueue):
    publish(queue, {b"a": b"1"})
    bodies(queue)
    # "b" is new, but "a" comes with other content: the whole request is refused.
    assert publish(queue, {b"a": b"other", b"b": b"2"}) == {b"a": b"1"}
    assert queue.stats().depth == 0
    assert publish(queue, {b"b": b"2"}) == {}  # "b" was not recorded by the refused call


def test_keys_are_per_scope(queue: SQLiteQueue):
    publish(queue, {b"a": b"1"}, scope=1)
    assert publish(queue, {b"a": b"other"}, scope=2) == {}
    assert bodies(queue) == [b"a", b"a"]


def test_more_keys_than_one_lookup_takes(queue: SQLiteQueue):
    keys = {i.to_bytes(4, "big"): b"d" for i in range(1200)}
    publish(queue, dict(list(keys.items())[:700]))
    known = publish(queue, keys)
    assert len(known) == 700
    assert sum(d.size for d in queue.receive(10_000)) == 1200


def test_a_failing_build_leaves_no_key_recorded(queue: SQLiteQueue):
    def broken(fresh: list[bytes]) -> Message:
        raise RuntimeError("encoding failed")

    with pytest.raises(RuntimeError):
        queue.publish_once(1, {b"a": b"1"}, broken)
    assert publish(queue, {b"a": b"1"}) == {}
    assert bodies(queue) == [b"a"]


def test_keys_survive_reopening(tmp_path: Path):
    q = SQLiteQueue(tmp_path / "queue.db", QueueSettings())
    publish(q, {b"a": b"1"})
    q.close()
    again = SQLiteQueue(tmp_path / "queue.db", QueueSettings())
    try:
        assert publish(again, {b"a": b"1"}) == {b"a": b"1"}
    finally:
        again.close()
    with sqlite3.connect(tmp_path / "queue.db") as conn:
        assert conn.execute("SELECT count(*) FROM published_keys").fetchone() == (1,)


def test_released_keys_are_published_anew_and_only_with_the_digest_given(queue: SQLiteQueue):
    publish(queue, {b"a": b"1", b"b": b"2"})
    bodies(queue)
    queue.release(1, {b"a": b"1", b"b": b"other"})
    # "a" is forgotten; "b" was recorded with another digest, so it stays.
    assert publish(queue, {b"a": b"changed", b"b": b"2"}) == {b"b": b"2"}
    assert bodies(queue) == [b"a"]
    assert publish(queue, {b"a": b"changed"}) == {b"a": b"changed"}
