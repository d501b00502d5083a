"""Every error leaves as RFC 9457 application/problem+json, never as a stack trace."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from partygrid.api.audit_failures import audit_refusal
from partygrid.api.etag import etag_for
from partygrid.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidValue,
    NotFound,
    RateLimited,
    RuleViolation,
    StaleVersion,
    Unauthenticated,
)
from partygrid.repo.database import DatabaseUnavailable

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://partygrid.org/problems/"


# The HTTP status of each kind of business failure; a kind not listed answers as the
# nearest kind it derives from (GridOverlap as Conflict, StepRequired as Forbidden).
STATUS_OF_KIND: dict[type[DomainError], int] = {
    DomainError: 422,
    RuleViolation: 422,
    InvalidValue: 422,
    NotFound: 404,
    Conflict: 409,
    StaleVersion: 412,
    Unauthenticated: 401,
    Forbidden: 403,
    RateLimited: 429,
}


def status_of(error: DomainError) -> int:
    return next(STATUS_OF_KIND[k] for k in type(error).__mro__ if k in STATUS_OF_KIND)


class HttpProblem(Exception):
    """A refusal the HTTP layer decides itself, with its own status: a facade's parameter
    (Open311's), not a business rule."""

    code = "http-problem"

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, plus a stable ``code`` and, for validation, the fields."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str
    errors: list[FieldError] | None = None
    rule: str | None = None


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # The offending input is deliberately left out: it may be an ID number or a phone.
    errors = [
        {"field": _field_name(e["loc"]), "message": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    await audit_refusal(request, 422, "validation-error", f"invalid request: {fields}")
    return problem_response(
        request,
        422,
        "validation-error",
        f"invalid request: {fields}",
        title="Request validation failed",
        errors=errors,
    )


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    extra = {k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool)}
    version = extra.get("current_version")
    headers = {"ETag": etag_for(version)} if isinstance(version, int) else None
    if isinstance(exc, Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    retry_after = extra.get("retry_after")
    if isinstance(retry_after, int):
        headers = {"Retry-After": str(retry_after)}
    status = status_of(exc)
    await audit_refusal(request, status, exc.code, exc.detail)
    return problem_response(
        request, status, exc.code, exc.detail, title=exc.title, headers=headers, **extra
    )


async def _http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HttpProblem)
    await audit_refusal(request, exc.status, exc.code, exc.detail)
    return problem_response(request, exc.status, exc.code, exc.detail)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}
    code = codes.get(exc.status_code, f"http-{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route or resource at {request.url.path}"
    return problem_response(
        request, exc.status_code, code, detail, headers=getattr(exc, "headers", None)
    )


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable: %s", exc)
    return problem_response(request, 503, "database-unavailable", "the database is unavailable")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    await audit_refusal(request, 500, "internal-error", None)
    response = problem_response(
        request, 500, "internal-error", "an unexpected error occurred; it has been logged"
    )
    # Answered from outside every middleware of ours, so the security headers come here.
    secure = getattr(request.app.state, "security_headers", None)
    if secure is not None:
        secure.set_headers(response)
    return response


# A facade that speaks another standard (Open311 under /open311/) answers its clients in
# that standard's error format: path prefix → renderer of (request, status, detail, headers).
ErrorRenderer = Callable[[Request, int, str | None, dict[str, str]], Response]
Handler = Callable[[Request, Exception], Awaitable[Response]]


def _in_format_of_path(handler: Handler) -> Handler:
    """The handler, re-rendered for paths under a prefix in ``app.state.error_formats``;
    the problem it built (status, detail, audit) stays the single source."""

    async def handle(request: Request, exc: Exception) -> Response:
        response = await handler(request, exc)
        formats: dict[str, ErrorRenderer] = getattr(request.app.state, "error_formats", {})
        for prefix, render in formats.items():
            if request.url.path.startswith(prefix):
                detail = json.loads(bytes(response.body)).get("detail")
                return render(request, response.status_code, detail, dict(response.headers))
        return response

    return handle


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _in_format_of_path(_validation))
    app.add_exception_handler(DomainError, _in_format_of_path(_domain))
    app.add_exception_handler(HttpProblem, _in_format_of_path(_http_problem))
    app.add_exception_handler(StarletteHTTPException, _in_format_of_path(_http))
    app.add_exception_handler(DatabaseUnavailable, _in_format_of_path(_database_down))
    app.add_exception_handler(Exception, _in_format_of_path(_unexpected))


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entry declaring problem+json for the given statuses."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }
