"""Every route of the application declares who may call it: a permission (``require``),
any authenticated principal (``authenticated``) or nobody in particular (``public``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI

from partygrid.api.security import public, require, route_access
from partygrid.config import Settings
from partygrid.domain.access import Permission
from partygrid.main import create_app
from tests.access.policy import API_KEY_SUBMIT, AUTHENTICATED, PUBLIC, ROUTES

# The documentation pages FastAPI adds itself; everything else must declare its access.
FRAMEWORK_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}

P = Permission
# What each route's declaration must say, from the hand-written route table.
_DECLARED_AS = {AUTHENTICATED: ("authenticated",), PUBLIC: ("public",),
                API_KEY_SUBMIT: ("ticket:submit",)}  # fmt: skip
EXPECTED = {route: _DECLARED_AS.get(needs, (needs,)) for route, needs in ROUTES.items()}


def _contexts(app: FastAPI) -> Iterator[tuple[str, set[str], Any]]:
    """(path, methods, dependant) of every HTTP route, as the application serves it.

    FastAPI 0.16x keeps included routers as ``_IncludedRouter`` objects and computes each
    route's effective path and dependencies (router-level ones included) in a route
    context; older versions flatten ``app.routes`` into ``APIRoute`` objects.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: the routes are flat already
        iter_route_contexts = None
    if iter_route_contexts is not None:
        for context in iter_route_contexts(app.routes):
            methods = getattr(context, "methods", None)
            if methods:
                yield context.path, set(methods), getattr(context, "dependant", None)
        return
    yield from _walk(app.routes, "")


def _walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, set[str], Any]]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + getattr(context, "prefix", ""))
        elif getattr(route, "methods", None):
            yield prefix + route.path, set(route.methods), getattr(route, "dependant", None)


def _calls(dependant: Any) -> list[object]:
    """Every dependency callable of a route, however deeply nested."""
    if dependant is None:
        return []
    found: list[object] = []
    for dep in dependant.dependencies:
        found.append(dep.call)
        found.extend(_calls(dep))
    return found


def declared_access(app: FastAPI) -> dict[tuple[str, str], tuple[str, ...]]:
    declared: dict[tuple[str, str], tuple[str, ...]] = {}
    for path, methods, dependant in _contexts(app):
        if path in FRAMEWORK_PATHS:
            continue
        for method in methods - {"HEAD", "OPTIONS"}:
            declared[(method, path)] = route_access(_calls(dependant))
    return declared


@pytest.fixture(scope="module")
def application() -> FastAPI:
    from partygrid.config import Environment

    return create_app(Settings(environment=Environment.test, database_url=None))


def test_every_route_declares_who_may_call_it(application: FastAPI) -> None:
    declared = declared_access(application)
    assert len(declared) >= len(EXPECTED)
    undeclared = sorted(route for route, access in declared.items() if not access)
    assert not undeclared, f"routes without require(...)/authenticated()/public(...): {undeclared}"


def test_routes_declare_exactly_their_permission(application: FastAPI) -> None:
    declared = declared_access(application)
    wrong = {
        r: (declared.get(r), access) for r, access in EXPECTED.items() if declared.get(r) != access
    }
    assert wrong == {}


def test_probes_are_public(application: FastAPI) -> None:
    declared = declared_access(application)
    assert declared[("GET", "/healthz")] == ("public",)
    assert declared[("GET", "/readyz")] == ("public",)


def test_the_check_catches_an_undeclared_route_however_deeply_included() -> None:
    app = FastAPI()
    inner = APIRouter(prefix="/inner")

    @inner.get("/open", dependencies=[Depends(public("test"))])
    async def open_route() -> None: ...

    @inner.get("/forgotten")
    async def forgotten() -> None: ...

    guarded = APIRouter(prefix="/guarded", dependencies=[Depends(require(P.org_read))])

    @guarded.get("/by-router")
    async def by_router() -> None: ...

    middle = APIRouter(prefix="/middle")
    middle.include_router(inner)
    app.include_router(middle, prefix="/api")
    app.include_router(guarded)

    declared = declared_access(app)
    assert declared[("GET", "/api/middle/inner/open")] == ("public",)
    assert declared[("GET", "/api/middle/inner/forgotten")] == ()
    assert declared[("GET", "/guarded/by-router")] == ("org:read",)


def test_walking_the_included_routers_finds_the_same_routes(application: FastAPI) -> None:
    """The fallback walk over ``original_router.routes`` agrees with FastAPI's own view."""
    walked = {(path, frozenset(methods)) for path, methods, _ in _walk(application.routes, "")}
    served = {(path, frozenset(methods)) for path, methods, _ in _contexts(application)}
    assert walked == served
