"""Business failures, each with a stable code. What a failure means to HTTP (its status)
is the api layer's business (api/errors.py), not the domain's."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every business failure; ``code`` is stable and documented."""

    code = "domain-error"
    title = "Request violates a business rule"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    code = "not-found"
    title = "Resource not found"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflicts with the current state"


class StaleVersion(DomainError):
    code = "stale-version"
    title = "The resource changed since you read it"


class RuleViolation(DomainError):
    """A rule of the domain; ``rule`` names which one so a client can react."""

    code = "rule-violation"
    title = "Business rule violated"

    def __init__(self, detail: str, *, rule: str, **extra: Any) -> None:
        super().__init__(detail, rule=rule, **extra)
        self.rule = rule


class InvalidValue(DomainError):
    """A value that fails validation beyond its type (checksum, geometry, ...)."""

    code = "invalid-value"
    title = "Invalid value"

    def __init__(self, detail: str, *, field: str, **extra: Any) -> None:
        super().__init__(detail, field=field, **extra)
        self.field = field


class Unauthenticated(DomainError):
    """No valid credentials; the API answers 401 with a WWW-Authenticate challenge."""

    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    """Authenticated, but the role lacks the permission (inside the caller's scope)."""

    code = "forbidden"
    title = "Permission denied"


class RateLimited(DomainError):
    """Too many attempts from one source; ``retry_after`` says when to try again (s)."""

    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests from this address; retry after {retry_after} s",
            retry_after=retry_after,
        )
