"""Passwords: argon2id hashes and the password policy.

Policy: at least 12 characters, not one of the 30,000 most common passwords (the list
zxcvbn ships), and not easy to guess by zxcvbn's estimate (score at least 3 of 4).
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from sealtrail.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def policy_problems(password: str, *, hints: tuple[str, ...] = ()) -> list[str]:
    """Why `password` is not acceptable (empty when it is)."""
    if len(password) < MIN_LENGTH:
        return [f"must be at least {MIN_LENGTH} characters"]
    if len(password) > MAX_LENGTH:
        return [f"must be at most {MAX_LENGTH} characters"]
    if password.lower() in _common():
        return ["is one of the most common passwords"]
    result = zxcvbn(password[:100], user_inputs=[h for h in hints if h])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "is too easy to guess"
        return [warning.rstrip(".")]
    return []


def check_policy(password: str, *, field: str = "password", hints: tuple[str, ...] = ()) -> None:
    """Raise ValidationFailed naming the field and the reason when the policy refuses."""
    problems = policy_problems(password, hints=hints)
    if problems:
        raise ValidationFailed(
            f"{field} {problems[0]}", [{"field": field, "reason": p} for p in problems]
        )


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh salt."""
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(32))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; a missing hash never matches.

    Without a hash (no such user, or one who signs in by single sign-on) the password is
    verified against a dummy hash of the same parameters: the answer takes as long as
    for a real account, so timing does not tell who has one.
    """
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password that passes the policy (about 120 bits)."""
    return secrets.token_urlsafe(20)
