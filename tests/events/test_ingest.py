"""Ingest over HTTP: body forms, validation, idempotency and every error status."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import func, select

from sealtrail.events.models import Event, EventId
from sealtrail.runtime import Runtime
from tests.conftest import TenantKeys, drain, event, iso

URL = "/api/v1/audit/events"


def stored_count(runtime: Runtime, tenant: TenantKeys) -> int:
    with runtime.factory() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Event).where(Event.tenant_id == tenant.id)
            )
            or 0
        )


def test_single_event_is_accepted_queued_and_stored(client, runtime, tenant):
    ev = event()
    r = client.post(URL, json=ev, headers=tenant.auth("ingest"))
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": 1, "ids": [ev["id"]]}
    assert runtime.queue.stats().depth == 1
    assert drain(runtime) == 1
    got = client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read")).json()
    assert got["action"] == "trade.order.create"
    assert got["tenant"] == tenant.name
    assert "received_at" in got


def test_event_without_id_gets_a_generated_one(client, runtime, tenant):
    ev = event()
    del ev["id"]
    r = client.post(URL, json=ev, headers=tenant.auth("ingest"))
    assert r.status_code == 202
    generated = r.json()["ids"][0]
    assert uuid.UUID(generated)
    drain(runtime)
    assert client.get(f"{URL}/{generated}", headers=tenant.auth("read")).status_code == 200


def test_generated_ids_are_uuid7_in_the_order_they_were_made(client, tenant):
    requests = []
    for _ in range(3):
        batch = [{k: v for k, v in event().items() if k != "id"} for _ in range(2)]
        r = client.post(URL, json=batch, headers=tenant.auth("ingest"))
        requests.append([uuid.UUID(i) for i in r.json()["ids"]])
        time.sleep(0.002)  # ids sort by the millisecond they were made in
    ids = [i for ids in requests for i in ids]
    assert {i.version for i in ids} == {7}
    assert len(set(ids)) == 6
    for earlier, later in itertools.pairwise(requests):
        assert max(earlier) < min(later)


def test_json_array_batch_is_accepted_in_order(client, runtime, tenant):
    batch = [event(actor={"id": f"user-{i}"}) for i in range(25)]
    r = client.post(URL, json=batch, headers=tenant.auth("ingest"))
    assert r.status_code == 202
    assert r.json() == {"accepted": 25, "ids": [e["id"] for e in batch]}
    drain(runtime)
    assert stored_count(runtime, tenant) == 25


def test_ndjson_batch_is_accepted(client, runtime, tenant):
    batch = [event() for _ in range(3)]
    body = b"\n".join(orjson.dumps(e) for e in batch) + b"\n\n"
    r = client.post(
        URL, content=body, headers={**tenant.auth("ingest"), "content-type": "application/x-ndjson"}
    )
    assert r.status_code == 202, r.text
    assert r.json()["ids"] == [e["id"] for e in batch]
    drain(runtime)
    assert stored_count(runtime, tenant) == 3


def test_batch_with_one_bad_item_is_rejected_whole(client, runtime, tenant):
    batch = [event(), event(), event(outcome="maybe"), event()]
    r = client.post(URL, json=batch, headers=tenant.auth("ingest"))
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "validation_failed"
    assert body["details"] == [
        {
            "index": 2,
            "field": "outcome",
            "reason": "Input should be 'success', 'failure' or 'unknown'",
        }
    ]
    assert runtime.queue.stats().depth == 0
    with runtime.factory() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(EventId).where(EventId.tenant_id == tenant.id)
            )
            == 0
        )


def test_validation_names_index_field_path_and_reason_for_each_bad_item(client, tenant):
    batch = [
        event(),
        event(actor={"id": "a", "email": "not-an-email"}),
        event(targets=[{"type": "order"}]),
        event(time="2026-11-24 10:00:00"),
        event(action="bad action"),
        event(extra_field=1),
    ]
    r = client.post(URL, json=batch, headers=tenant.auth("ingest"))
    assert r.status_code == 422
    found = {(d["index"], d["field"]) for d in r.json()["error"]["details"]}
    assert found == {
        (1, "actor.email"),
        (2, "targets.0.id"),
        (3, "time"),
        (4, "action"),
        (5, "extra_field"),
    }


def test_ndjson_line_with_broken_json_is_named_by_index(client, tenant):
    body = orjson.dumps(event()) + b"\n{not json\n"
    r = client.post(
        URL, content=body, headers={**tenant.auth("ingest"), "content-type": "application/x-ndjson"}
    )
    assert r.status_code == 422
    [detail] = r.json()["error"]["details"]
    assert detail["index"] == 1
    assert detail["reason"].startswith("invalid JSON")


def test_time_more_than_five_minutes_ahead_is_rejected(client, tenant):
    ahead = iso(datetime.now(UTC) + timedelta(minutes=6))
    r = client.post(URL, json=event(time=ahead), headers=tenant.auth("ingest"))
    assert r.status_code == 422
    [detail] = r.json()["error"]["details"]
    assert detail["field"] == "time"
    assert "future" in detail["reason"]
    slightly_ahead = iso(datetime.now(UTC) + timedelta(minutes=4))
    assert (
        client.post(URL, json=event(time=slightly_ahead), headers=tenant.auth("ingest")).status_code
        == 202
    )


def test_time_without_offset_is_rejected_and_offsets_are_normalised_to_utc(client, runtime, tenant):
    r = client.post(URL, json=event(time="2026-11-20T10:00:00"), headers=tenant.auth("ingest"))
    assert r.status_code == 422
    ev = event(time="2026-11-20T11:00:00.5+01:00")
    assert client.post(URL, json=ev, headers=tenant.auth("ingest")).status_code == 202
    drain(runtime)
    got = client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read")).json()
    assert got["time"] == "2026-11-20T10:00:00.500000Z"


def test_metadata_limits_are_enforced(client, tenant):
    deep = {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}
    many = {f"k{i}": i for i in range(101)}
    big = {"blob": "x" * 17000}
    huge_int = {"n": 2**53}
    for metadata in (deep, many, big, huge_int):
        r = client.post(URL, json=event(metadata=metadata), headers=tenant.auth("ingest"))
        assert r.status_code == 422, metadata
        assert r.json()["error"]["details"][0]["field"] == "metadata"
    ok = {"order": {"qty": 10, "price": 101.5, "tags": ["a", "b"]}}
    assert (
        client.post(URL, json=event(metadata=ok), headers=tenant.auth("ingest")).status_code == 202
    )


def test_numbers_beyond_a_double_are_refused_not_stored_as_null(client, runtime, tenant):
    body = json.dumps(event(metadata={"x": 1}, changes={"after": {"y": 2}}))
    single = body.replace('"x": 1', '"x": 1e400')
    nested = body.replace('"y": 2', '"y": -1e999')
    for payload, field, ctype in (
        (single, "metadata", "application/json"),
        (nested, "changes.after", "application/json"),
        (single, "metadata", "application/x-ndjson"),
    ):
        r = client.post(
            URL, content=payload, headers={**tenant.auth("ingest"), "content-type": ctype}
        )
        assert r.status_code == 422, (payload, ctype)
        assert r.json()["error"]["details"][0]["field"] == field
        assert "finite" in r.json()["error"]["details"][0]["reason"]
    drain(runtime)
    assert stored_count(runtime, tenant) == 0


def test_identical_resend_is_a_noop_with_the_same_answer(client, runtime, tenant):
    batch = [event(), event()]
    first = client.post(URL, json=batch, headers=tenant.auth("ingest"))
    drain(runtime)
    again = client.post(URL, json=batch, headers=tenant.auth("ingest"))
    assert again.status_code == 202
    assert again.json() == first.json()
    assert runtime.queue.stats().depth == 0
    drain(runtime)
    assert stored_count(runtime, tenant) == 2


def test_resend_before_the_worker_ran_is_still_stored_once(client, runtime, tenant):
    ev = event()
    client.post(URL, json=ev, headers=tenant.auth("ingest"))
    client.post(URL, json=ev, headers=tenant.auth("ingest"))
    drain(runtime)
    assert stored_count(runtime, tenant) == 1


def test_same_id_with_different_content_is_409_naming_the_id(client, runtime, tenant):
    ev = event()
    assert client.post(URL, json=ev, headers=tenant.auth("ingest")).status_code == 202
    changed = {**ev, "action": "trade.order.cancel"}
    r = client.post(URL, json=[event(), changed], headers=tenant.auth("ingest"))
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "conflict"
    assert ev["id"] in err["message"]
    assert err["details"] == {"ids": [ev["id"]]}
    # The whole batch was refused: the valid sibling was not queued either.
    assert runtime.queue.stats().depth == 1


def test_same_id_twice_in_one_batch_with_different_content_is_409(client, tenant):
    ev = event()
    r = client.post(URL, json=[ev, {**ev, "outcome": "failure"}], headers=tenant.auth("ingest"))
    assert r.status_code == 409
    assert ev["id"] in r.json()["error"]["message"]


def test_same_id_in_two_tenants_is_two_events(client, runtime, tenant):
    from tests.conftest import make_tenant

    other = make_tenant(runtime)
    ev = event()
    assert client.post(URL, json=ev, headers=tenant.auth("ingest")).status_code == 202
    changed = {**ev, "action": "user.login"}
    assert client.post(URL, json=changed, headers=other.auth("ingest")).status_code == 202
    drain(runtime)
    assert client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read")).json()["action"] == (
        "trade.order.create"
    )
    assert (
        client.get(f"{URL}/{ev['id']}", headers=other.auth("read")).json()["action"] == "user.login"
    )


def test_body_over_the_limit_is_413(client, runtime, tenant):
    limit = runtime.settings.ingest_max_body_bytes
    body = b"[" + b" " * (limit + 1) + b"]"
    r = client.post(
        URL, content=body, headers={**tenant.auth("ingest"), "content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_body_over_the_limit_without_content_length_is_413(client, runtime, tenant):
    limit = runtime.settings.ingest_max_body_bytes

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = client.post(
        URL, content=chunks(), headers={**tenant.auth("ingest"), "content-type": "application/json"}
    )
    assert r.status_code == 413


def test_more_than_1000_events_is_rejected(client, runtime, tenant):
    batch = [event() for _ in range(1001)]
    r = client.post(URL, json=batch, headers=tenant.auth("ingest"))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "batch_too_large"
    assert runtime.queue.stats().depth == 0


def test_empty_batch_is_rejected(client, tenant):
    r = client.post(URL, json=[], headers=tenant.auth("ingest"))
    assert r.status_code == 422


def test_wrong_content_type_is_415(client, tenant):
    r = client.post(
        URL,
        content=orjson.dumps(event()),
        headers={**tenant.auth("ingest"), "content-type": "text/plain"},
    )
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"


def test_malformed_json_is_400(client, tenant):
    r = client.post(
        URL,
        content=b'{"time": ',
        headers={**tenant.auth("ingest"), "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"
    r = client.post(
        URL, content=b"[1, 2", headers={**tenant.auth("ingest"), "content-type": "application/json"}
    )
    assert r.status_code == 400


def test_missing_malformed_unknown_and_revoked_keys_are_401(client, runtime, tenant):
    assert client.post(URL, json=event()).status_code == 401
    assert client.post(URL, json=event(), headers={"Authorization": "Basic abc"}).status_code == 401
    assert (
        client.post(URL, json=event(), headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    forged = tenant.ingest[:-4] + "AAAA"
    r = client.post(URL, json=event(), headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    prefix = tenant.ingest.split("_")[1]
    assert client.delete(f"/api/v1/keys/{prefix}", headers=tenant.auth("admin")).status_code == 200
    assert client.post(URL, json=event(), headers=tenant.auth("ingest")).status_code == 401
    # Nothing of the refused calls was queued; only the self-audit record of the revocation.
    drain(runtime)
    stored = client.get(URL, headers=tenant.auth("admin")).json()["items"]
    assert [e["action"] for e in stored] == ["sealtrail.api_key.revoke"]


def test_key_without_ingest_scope_is_403(client, runtime, tenant):
    r = client.post(URL, json=event(), headers=tenant.auth("read"))
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"required_permission": "trail.ingest"}
    # The event was not queued; the refused attempt itself is in the trail.
    drain(runtime)
    stored = client.get(URL, headers=tenant.auth("admin")).json()["items"]
    assert [(e["action"], e["outcome"]) for e in stored] == [("sealtrail.trail.ingest", "failure")]


def test_admin_key_may_ingest(client, tenant):
    assert client.post(URL, json=event(), headers=tenant.auth("admin")).status_code == 202


def test_rejections_and_acceptances_are_counted_in_metrics(client, tenant):
    def value(name: str) -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0

    accepted = value("sealtrail_events_accepted_total")
    rejected = value('sealtrail_events_rejected_total{reason="invalid"}')
    client.post(URL, json=[event(), event()], headers=tenant.auth("ingest"))
    client.post(URL, json=[event(outcome="?")], headers=tenant.auth("ingest"))
    assert value("sealtrail_events_accepted_total") == accepted + 2
    assert value('sealtrail_events_rejected_total{reason="invalid"}') == rejected + 1


def post_as(client, tenant: TenantKeys, events: list[dict], form: str):
    """Send `events` as one object (a single event), a JSON array, or NDJSON."""
    headers = tenant.auth("ingest")
    if form == "object":
        [one] = events
        body, ctype = json.dumps(one).encode(), "application/json"
    elif form == "array":
        body, ctype = json.dumps(events).encode(), "application/json"
    else:
        body, ctype = b"\n".join(json.dumps(e).encode() for e in events), "application/x-ndjson"
    return client.post(URL, content=body, headers={**headers, "content-type": ctype})


FORMS = ("object", "array", "ndjson")


def test_times_before_year_1000_are_stored_and_read_back_as_sent(client, runtime, tenant):
    sent = [
        event(time="0999-01-01T00:00:00Z"),
        event(time="0001-01-01T00:00:00Z"),
        event(time="0042-06-15T12:30:00.000001+02:00"),
        event(),
    ]
    assert client.post(URL, json=sent, headers=tenant.auth("ingest")).status_code == 202
    drain(runtime)
    assert runtime.queue.dead_letters(tenant_id=tenant.id) == []
    expected = ["0999-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0042-06-15T10:30:00.000001Z"]
    for ev, time_ in zip(sent, expected, strict=False):
        got = client.get(f"{URL}/{ev['id']}", headers=tenant.auth("read"))
        assert got.status_code == 200, got.text
        assert got.json()["time"] == time_
    found = client.get(
        URL, params={"until": "1000-01-01T00:00:00Z"}, headers=tenant.auth("read")
    ).json()
    assert [e["id"] for e in found["items"]] == [sent[0]["id"], sent[2]["id"], sent[1]["id"]]


def test_times_whose_utc_conversion_overflows_are_422_in_events_and_400_in_queries(
    client, runtime, tenant
):
    for when in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"):
        for form in FORMS:
            r = post_as(client, tenant, [event(time=when)], form)
            assert r.status_code == 422, (when, form, r.text)
            [detail] = r.json()["error"]["details"]
            assert detail["field"] == "time"
            assert "0001" in detail["reason"]
        for name in ("since", "until"):
            r = client.get(URL, params={name: when}, headers=tenant.auth("read"))
            assert r.status_code == 400, (name, when, r.text)
            assert r.json()["error"]["details"]["field"] == name
    assert runtime.queue.stats().depth == 0


def test_integers_beyond_64_bits_get_the_same_422_in_every_body_form(client, runtime, tenant):
    for number in (2**64 + 1, -(2**63) - 1, 10**30):
        for form in FORMS:
            ev = event(metadata={"n": number})
            r = post_as(client, tenant, [ev], form)
            assert r.status_code == 422, (number, form, r.text)
            [detail] = r.json()["error"]["details"]
            assert (detail["index"], detail["field"]) == (0, "metadata")
            assert str(number) in detail["reason"]
    drain(runtime)
    assert stored_count(runtime, tenant) == 0


def test_duplicate_keys_are_rejected_naming_the_path_in_every_body_form(client, runtime, tenant):
    ev = event(metadata={"order": {"qty": 1}})
    text = json.dumps(ev)
    cases = [
        (text.replace('"action":', f'"id": "{uuid.uuid4()}", "action":'), "id"),
        (text.replace('"qty": 1', '"qty": 1, "qty": 2'), "metadata.order.qty"),
        (text.replace('"qty": 1', '"qty" : 1, "qty"\t:1'), "metadata.order.qty"),
        (text.replace('"qty": 1', '"qty": 1, "q\\u0074y": 1'), "metadata.order.qty"),
        (text.replace('"id": "alice"', '"id": "alice", "id": "bob"'), "actor.id"),
    ]
    for body, field in cases:
        one = body.encode()
        bodies = {
            "object": (one, "application/json"),
            "array": (b"[" + orjson.dumps(event()) + b"," + one + b"]", "application/json"),
            "ndjson": (orjson.dumps(event()) + b"\n" + one, "application/x-ndjson"),
        }
        for form, (payload, ctype) in bodies.items():
            r = client.post(
                URL, content=payload, headers={**tenant.auth("ingest"), "content-type": ctype}
            )
            assert r.status_code == 422, (form, body, r.text)
            assert len(r.json()["error"]["details"]) == 1, (form, body, r.text)
            [detail] = r.json()["error"]["details"]
            index = 0 if form == "object" else 1
            assert (detail["index"], detail["field"]) == (index, field), (form, body)
            assert "duplicate" in detail["reason"]
    assert runtime.queue.stats().depth == 0


def test_keys_that_only_look_alike_are_not_duplicates(client, runtime, tenant):
    # Colons and escaped quotes inside strings, and keys that differ after unescaping.
    ev = event(
        actor={"id": 'a":b', "ip": "::1"},
        metadata={"a:": 'x\\":', "a": ":", "\\": 1, "\\\\": 2, "url": "https://x/y:z"},
        description='"key": "value"',
    )
    for form in FORMS:
        r = post_as(client, tenant, [{**ev, "id": str(uuid.uuid4())}], form)
        assert r.status_code == 202, (form, r.text)
    drain(runtime)
    assert stored_count(runtime, tenant) == 3


def test_a_trailing_newline_does_not_pass_the_action_or_time_pattern(client, runtime, tenant):
    for form in FORMS:
        for field, value in (
            ("action", "user.login\n"),
            ("time", iso(datetime.now(UTC) - timedelta(seconds=1)) + "\n"),
        ):
            r = post_as(client, tenant, [event(**{field: value})], form)
            assert r.status_code == 422, (form, field, r.text)
            assert r.json()["error"]["details"][0]["field"] == field
    assert runtime.queue.stats().depth == 0
