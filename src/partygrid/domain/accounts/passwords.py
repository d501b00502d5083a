"""Password rules (等保三级: length, character classes, no username) and lockout policy."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from partygrid.domain.errors import InvalidValue

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON = frozenset(
    {"password1234", "123456789012", "qwertyuiop12", "admin1234567", "partygrid123",
     "abc123456789", "iloveyou1234", "woaini131400", "1qaz2wsx3edc"}
)  # fmt: skip


def check_password(password: str, *, username: str, field: str = "body.password") -> None:
    """Refuse a weak password, saying which rule it breaks (never echoing it)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidValue(
            f"password must be {MIN_LENGTH} to {MAX_LENGTH} characters long", field=field
        )
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if classes < 3:
        raise InvalidValue(
            "password needs at least three of: lowercase, uppercase, digits, symbols",
            field=field,
        )
    if username and username.lower() in password.lower():
        raise InvalidValue("password must not contain the username", field=field)
    if password.lower() in COMMON:
        raise InvalidValue("password is too common", field=field)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)

    def locked_until(self, failures: int, now: datetime) -> datetime | None:
        """After the Nth consecutive failure the account locks for a while."""
        return now + self.lock_for if failures >= self.max_failures else None
