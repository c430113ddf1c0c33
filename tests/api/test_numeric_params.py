"""Numeric references over HTTP: every integer a route takes is bounded once, so a number
no column can hold is a 422 naming the parameter, on both engines, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from sealtrail.api.params import MAX_QUEUE_ID, MAX_REPLAY_IDS
from sealtrail.db.base import MAX_ID

# Past SQLite's INTEGER (OverflowError), past 64 bits, past PostgreSQL's INTEGER, and
# below every id.
OUT_OF_RANGE = [2**63, 2**64, 10**30, 2**31, -1, -(2**63) - 1]


def integer_parameters(client) -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    """(method, path, parameter, all parameters of the route) for every integer parameter
    the OpenAPI document lists."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, op in operations.items():
            params = op.get("parameters", [])
            for p in params:
                if _is_integer(p["schema"]):
                    found.append((method, path, p, params))
    return found


def _is_integer(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "integer" or any(
        s.get("type") == "integer" for s in schema.get("anyOf", [])
    )


def _bounds(schema: dict[str, Any]) -> tuple[int | None, int | None]:
    for s in [schema, *schema.get("anyOf", [])]:
        if s.get("type") == "integer":
            return s.get("minimum"), s.get("maximum")
    return None, None


def _request(client, tenant, method, path, params, target, value):
    """Call the route with `value` in `target` and harmless values everywhere else."""
    url, query, headers = path, {}, dict(tenant.auth("admin"))
    for p in params:
        if p is target:
            given = str(value)
        elif _is_integer(p["schema"]):
            given = str(max(_bounds(p["schema"])[0] or 0, 0) or 1)
        else:
            given = "x"
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", given)
        elif p["in"] == "header":
            headers[p["name"]] = given
        elif p is target or p.get("required"):
            query[p["name"]] = given
    return client.request(method.upper(), url, params=query, headers=headers)


def test_every_integer_parameter_declares_its_bounds(client):
    routes = integer_parameters(client)
    assert len(routes) >= 15
    for method, path, p, _ in routes:
        low, high = _bounds(p["schema"])
        assert low is not None, (method, path, p["name"])
        assert high is not None, (method, path, p["name"])
        assert high <= 2**63 - 1, (method, path, p["name"])


def test_numbers_out_of_every_parameters_range_are_422_naming_it(client, tenant):
    for method, path, p, params in integer_parameters(client):
        for value in OUT_OF_RANGE:
            low, high = _bounds(p["schema"])
            if low <= value <= high:
                continue
            r = _request(client, tenant, method, path, params, p, value)
            assert r.status_code == 422, (method, path, p["name"], value, r.text)
            [problem] = r.json()["error"]["details"]
            assert problem["field"].lower() == p["name"].lower(), (path, problem)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/compliance/scans/{}",
        "/api/v1/compliance/findings/{}",
        "/api/v1/compliance/scans?before={}",
        "/api/v1/compliance/findings?before={}",
    ],
)
def test_compliance_ids_up_to_the_largest_row_id_are_found_or_404(client, tenant, path):
    r = client.get(path.format(MAX_ID), headers=tenant.auth("read"))
    assert r.status_code == (200 if "before" in path else 404), r.text
    r = client.get(path.format(MAX_ID + 1), headers=tenant.auth("read"))
    assert r.status_code == 422, r.text


def test_revoking_an_unknown_exception_is_404_and_a_huge_id_422(client, tenant):
    url = "/api/v1/compliance/exceptions/{}"
    assert client.delete(url.format(MAX_ID), headers=tenant.auth("admin")).status_code == 404
    r = client.delete(url.format(2**64), headers=tenant.auth("admin"))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "exception_id"


@pytest.mark.parametrize(
    "path", ["/api/v1/keys/{}", "/api/v1/users/{}", "/api/v1/compliance/accounts/{}"]
)
def test_numeric_looking_references_by_name_are_404(client, tenant, path):
    """Keys, users and accounts are named by id or by prefix, email or name: a number
    no id can be is simply not found."""
    for value in (2**31, 2**63, 2**64):
        method = "DELETE" if "keys" in path else "GET"
        r = client.request(method, path.format(value), headers=tenant.auth("admin"))
        assert r.status_code == 404, (path, value, r.text)


def test_dead_letter_replay_refuses_ids_out_of_range_and_too_many(client, tenant):
    url = "/api/v1/admin/dlq/replay"
    for bad in (str(MAX_QUEUE_ID + 1), str(2**64), "0", "-1", "1e3", "12\n"):
        r = client.post(url, json={"ids": [bad]}, headers=tenant.auth("admin"))
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["details"][0]["field"] == "ids.0"
    r = client.post(url, json={"ids": [str(MAX_QUEUE_ID)]}, headers=tenant.auth("admin"))
    assert r.json() == {"replayed": 0}
    many = [str(i) for i in range(1, MAX_REPLAY_IDS + 2)]
    r = client.post(url, json={"ids": many}, headers=tenant.auth("admin"))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "ids"
