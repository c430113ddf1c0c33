"""The stored tree against the reference: appends in random batch sizes, then every root,
inclusion proof and consistency proof read from the database equals the naive one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealtrail.ledger import tree
from sealtrail.verify import merkle
from tests.conftest import make_tenant
from tests.verify.test_merkle import ref_mth, ref_path, ref_subproof


def _data(i: int) -> bytes:
    return b'{"event":%d}' % i


def _leaf(i: int) -> tree.Leaf:
    return tree.Leaf(uuid.uuid4(), datetime.now(UTC), merkle.leaf_hash(_data(i)))


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8))
def test_stored_tree_matches_the_reference(runtime, batches):
    tenant = make_tenant(runtime)
    data: list[bytes] = []
    for size in batches:
        leaves = [_leaf(len(data) + i) for i in range(size)]
        with runtime.engine.begin() as conn:
            appended = tree.append(conn, tenant.id, leaves)
        assert list(appended) == list(range(len(data), len(data) + size))
        data += [_data(len(data) + i) for i in range(size)]
    n = len(data)
    with runtime.engine.connect() as conn:
        assert tree.head(conn, tenant.id) == (n, ref_mth(data))
        for size in {1, n // 2 or 1, n}:
            assert tree.root_at(conn, tenant.id, size) == ref_mth(data[:size])
            for index in range(size):
                leaf, path = tree.inclusion_proof(conn, tenant.id, index, size)
                assert leaf == merkle.leaf_hash(data[index])
                assert path == ref_path(index, data[:size])
        for first in range(1, n + 1):
            expected = ref_subproof(first, data, True) if first < n else []
            assert tree.consistency_proof(conn, tenant.id, first, n) == expected
