"""The HMAC request signature partner systems compute, and the server checks.

canonical = METHOD \\n PATH[?QUERY] \\n TIMESTAMP \\n NONCE \\n hex(sha256(BODY))
X-PartyGrid-Signature = base64(HMAC-SHA256(secret, canonical))
"""

from __future__ import annotations

import base64
import hashlib
import hmac

KEY_HEADER = "X-PartyGrid-Key"
TIMESTAMP_HEADER = "X-PartyGrid-Timestamp"
NONCE_HEADER = "X-PartyGrid-Nonce"
SIGNATURE_HEADER = "X-PartyGrid-Signature"


def canonical_request(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), target, timestamp, nonce, digest]).encode()


def sign(secret: str, method: str, target: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), canonical_request(method, target, timestamp, nonce, body),
                   hashlib.sha256)  # fmt: skip
    return base64.b64encode(mac.digest()).decode()


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def signed_headers(
    key_id: str, secret: str, method: str, target: str, body: bytes, timestamp: int, nonce: str
) -> dict[str, str]:
    """What a partner client sends (used by tests and the documentation example)."""
    ts = str(timestamp)
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: ts,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(secret, method, target, ts, nonce, body),
    }
