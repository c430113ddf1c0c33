"""Canonical bytes: the fast path must equal RFC 8785 byte for byte."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from sealtrail.verify.canonical import canonical_bytes

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.text(max_size=8).filter(lambda k: k != "ledger"), documents, max_size=6))
def test_canonical_bytes_are_rfc8785(doc):
    assert canonical_bytes(doc) == rfc8785.dumps(doc)


def test_known_answers():
    # RFC 8785 section 3.2.2-style ordering and number forms
    assert canonical_bytes({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'
    assert canonical_bytes({"n": 1e21, "m": 0.000001}) == b'{"m":0.000001,"n":1e+21}'
    assert canonical_bytes({"\u20ac": 1, "\U0001f600": 2, "\ufb33": 3}) == rfc8785.dumps(
        {"\u20ac": 1, "\U0001f600": 2, "\ufb33": 3}
    )
    assert canonical_bytes({"ledger": {"index": 1}, "a": 1}) == b'{"a":1}'
