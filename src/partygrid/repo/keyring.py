"""Keys from settings, never from the database: field encryption, lookup index, audit chain."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from partygrid.config import Settings

FORMAT_VERSION = 1


class KeyError_(ValueError):
    """A key in the settings is malformed; the message names the setting, not the key."""


class DecryptionError(ValueError):
    """Ciphertext that no configured key opens (wrong key, tampered, or wrong column)."""


def _parse_data_keys(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, sep, encoded = item.partition(":")
        if not sep or not kid:
            raise KeyError_("PARTYGRID_DATA_KEYS entries must look like kid:base64key")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise KeyError_(f"PARTYGRID_DATA_KEYS key {kid!r} is not base64") from None
        if len(key) != 32:
            raise KeyError_(f"PARTYGRID_DATA_KEYS key {kid!r} must be 32 bytes (AES-256)")
        keys[kid] = key
    if not keys:
        raise KeyError_("PARTYGRID_DATA_KEYS holds no key")
    return keys


@dataclass(frozen=True, slots=True)
class Keyring:
    data_keys: dict[str, bytes]  # kid -> AES-256 key; current first
    current_kid: str
    index_key: bytes
    audit_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        keys = _parse_data_keys(settings.data_key_spec())
        return cls(
            data_keys=keys,
            current_kid=next(iter(keys)),
            index_key=settings.index_key.get_secret_value().encode(),
            audit_key=settings.audit_key.get_secret_value().encode(),
        )

    def encrypt(self, plaintext: str, context: str) -> bytes:
        """AES-256-GCM with the current key. ``context`` (e.g. "party_members.id_number")
        is bound as associated data, so a ciphertext copied to another column won't open.
        Layout: version byte, key-id length, key id, 12-byte nonce, ciphertext+tag."""
        kid = self.current_kid.encode()
        nonce = os.urandom(12)
        sealed = AESGCM(self.data_keys[self.current_kid]).encrypt(
            nonce, plaintext.encode(), context.encode()
        )
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, context: str) -> str:
        if len(blob) < 2 or blob[0] != FORMAT_VERSION:
            raise DecryptionError(f"unknown ciphertext format in {context}")
        kid_end = 2 + blob[1]
        kid = blob[2:kid_end].decode()
        key = self.data_keys.get(kid)
        if key is None:
            raise DecryptionError(f"{context} is sealed with key {kid!r}, which is not configured")
        nonce, sealed = blob[kid_end : kid_end + 12], blob[kid_end + 12 :]
        try:
            return AESGCM(key).decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag:
            raise DecryptionError(f"{context} failed authentication") from None

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        return blob[2 : 2 + blob[1]].decode()

    def lookup_index(self, value: str, context: str) -> bytes:
        """Keyed HMAC for exact-match lookups: without the key, the 10^8-ish space of ID
        numbers cannot be brute-forced from the index."""
        return hmac.new(self.index_key, f"{context}\x00{value}".encode(), hashlib.sha256).digest()
