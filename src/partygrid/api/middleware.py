"""Request ids (taken from X-Request-ID when sane, minted otherwise, echoed back) and the
request's lease on a pooled database connection."""

from __future__ import annotations

import re
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partygrid.repo.connection_lease import ConnectionLease

REQUEST_ID_HEADER = b"x-request-id"
_SANE = re.compile(rb"^[A-Za-z0-9._:-]{8,64}$")
_LEASE = "connection_lease"  # in the request state


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex.encode()
        scope.setdefault("state", {})["request_id"] = request_id.decode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((REQUEST_ID_HEADER, request_id))
            await send(message)

        await self.app(scope, receive, send_with_id)


def connection_lease(request: Request) -> ConnectionLease:
    """The request's lease on a pooled driver connection (repo/connection_lease.py)."""
    lease: ConnectionLease | None = request.scope.get("state", {}).get(_LEASE)
    if lease is None:
        raise RuntimeError("ConnectionLeaseMiddleware is not installed, or no database is bound")
    return lease


class ConnectionLeaseMiddleware:
    """Hands each HTTP request a lease on the app's driver connection and releases it
    when the request ends, whatever happened."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        source = getattr(scope["app"].state, "driver_connection", None)
        if scope["type"] != "http" or source is None:  # no database bound: nothing to lease
            await self.app(scope, receive, send)
            return
        lease = ConnectionLease(source)
        scope.setdefault("state", {})[_LEASE] = lease
        try:
            await self.app(scope, receive, send)
        except BaseException as error:
            await lease.release(error)
            raise
        await lease.release()
