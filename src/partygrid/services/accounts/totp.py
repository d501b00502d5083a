"""Time-based one-time passwords (RFC 6238, 30 s steps, 6 digits) for the second factor."""

from __future__ import annotations

import hmac
import time

import pyotp

ISSUER = "PartyGrid"
VALID_WINDOW = 1  # one step either side: about ±30 s of clock drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(
    secret: str, code: str, *, now: float | None = None, last_step: int | None = None
) -> int | None:
    """The time step whose code this is (within the window), or None.

    A step at or before ``last_step`` has already been used and never matches again, so a
    code seen over someone's shoulder cannot be replayed.
    """
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
