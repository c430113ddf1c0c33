"""Page cursors: opaque to clients, made only by this server, valid only where made.

A cursor is the position of a page's last item plus a MAC (HMAC-SHA-256, truncated to
128 bits) over that position, the kind of list, the caller's tenant and the query's
filters, under a key derived from the server secret. A cursor that was not made here,
was altered, or comes from another list, tenant or search is refused with `400`
naming `cursor`, before its position is looked at.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends

from sealtrail.api.deps import RuntimeDep
from sealtrail.errors import BadRequest

T = TypeVar("T")

# Derivation label: the cursor key is not the token secret itself, so a cursor MAC can
# never be replayed as (or help forge) a token signature.
KEY_LABEL = b"sealtrail cursor v1"
TAG_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid(reason: str) -> BadRequest:
    return BadRequest("invalid cursor", {"field": "cursor", "reason": reason})


class Cursors:
    """Makes and checks the cursors of every paged list."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, KEY_LABEL, hashlib.sha256).digest()

    def _tag(
        self, kind: str, tenant_id: int, query: Mapping[str, Any], position: list[Any]
    ) -> bytes:
        signed = orjson.dumps([kind, tenant_id, query, position], option=orjson.OPT_SORT_KEYS)
        return hmac.new(self._key, signed, hashlib.sha256).digest()[:TAG_BYTES]

    def encode(
        self, kind: str, tenant_id: int, query: Mapping[str, Any], position: list[Any]
    ) -> str:
        """The cursor of `position` in the list `kind` of `tenant_id` under `query`."""
        payload = orjson.dumps(position)
        return f"{_b64(payload)}.{_b64(self._tag(kind, tenant_id, query, position))}"

    def decode(
        self,
        kind: str,
        tenant_id: int,
        query: Mapping[str, Any],
        cursor: str,
        parse: Callable[[list[Any]], T],
    ) -> T:
        """The position a cursor of this list, tenant and query holds, through `parse`;
        BadRequest for any other string."""
        payload_text, dot, tag_text = cursor.partition(".")
        if not dot or not cursor.isascii():
            raise _invalid("not a cursor of this server")
        try:
            payload, tag = _unb64(payload_text), _unb64(tag_text)
            position = orjson.loads(payload)
        except (binascii.Error, ValueError):
            raise _invalid("not a cursor of this server") from None
        if not isinstance(position, list) or not hmac.compare_digest(
            tag, self._tag(kind, tenant_id, query, position)
        ):
            raise _invalid("not a cursor of this list, tenant and query")
        try:
            return parse(position)
        except (ValueError, TypeError) as exc:
            # Signed by us yet unreadable: made by another version of the position format.
            raise _invalid(str(exc)) from None


def get_cursors(runtime: RuntimeDep) -> Cursors:
    """The cursor codec under the server secret."""
    return Cursors(runtime.jwt_secret)


CursorsDep = Annotated[Cursors, Depends(get_cursors)]
