"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Hashing takes ~0.1 s of CPU on purpose; it runs in a worker thread (the C library
releases the GIL) so one login does not stall every other request on the event loop.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from partygrid.domain.accounts.passwords import check_password

_hasher = PasswordHasher()

__all__ = [
    "check_password",
    "hash_password",
    "hash_password_async",
    "needs_rehash",
    "verify_password",
    "verify_password_async",
    "waste_a_verification",
]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """False for a wrong password and for anything that is not an argon2 hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's: rehash on login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not the password of anyone: a timing decoy")


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


async def waste_a_verification(password: str) -> None:
    """Spend the time a real check takes, so an unknown username answers no faster."""
    await asyncio.to_thread(verify_password, _dummy_hash(), password)
