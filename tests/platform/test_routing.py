"""PrefixRouter turns away paths outside its prefix without changing what routes serve."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from partygrid.api.routing import PrefixRouter, include


def _app() -> FastAPI:
    app = FastAPI()
    v1 = PrefixRouter(prefix="/v1")
    members, membership = PrefixRouter(prefix="/members"), PrefixRouter(prefix="/membership")

    @members.get("")
    async def list_members() -> str:
        return "members"

    @members.get("/{member_id}")
    async def get_member(member_id: int) -> str:
        return f"member {member_id}"

    @membership.get("/rules")
    async def rules() -> str:
        return "rules"

    include(v1, members)
    include(v1, membership)
    app.include_router(v1)
    return app


async def _get(app: FastAPI, path: str, root_path: str = "") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path, follow_redirects=False)


async def test_each_router_learns_its_full_prefix_and_serves_its_paths() -> None:
    app = _app()
    assert [r.json() for r in [await _get(app, p) for p in ("/v1/members", "/v1/members/7",
                                                             "/v1/membership/rules")]] == [
        "members", "member 7", "rules",
    ]  # fmt: skip
    assert (await _get(app, "/v1/members/")).status_code == 307  # the slash redirect survives


async def test_paths_outside_every_prefix_are_not_found() -> None:
    app = _app()
    for path in ("/v1/membersX", "/v2/members", "/v1", "/members/7", "/v1/membership"):
        assert (await _get(app, path)).status_code == 404, path


async def test_a_proxy_root_path_is_not_part_of_the_prefix() -> None:
    assert (await _get(_app(), "/gw/v1/members/7", root_path="/gw")).json() == "member 7"


async def test_a_route_added_after_serving_is_served_too() -> None:
    """The remembered routes version (``_ROUTE_CHANGES``) must not hide a later route."""
    app = _app()
    assert (await _get(app, "/v1/membership/fees")).status_code == 404
    membership = (
        next(r.original_router for r in app.router.routes if hasattr(r, "original_router"))
        .routes[1]
        .original_router
    )  # v1's second included router, /membership

    @membership.get("/fees")
    async def fees() -> str:
        return "fees"

    assert (await _get(app, "/v1/membership/fees")).json() == "fees"


def test_a_plain_router_below_a_prefix_router_is_refused() -> None:
    with pytest.raises(TypeError, match="PrefixRouter"):
        include(PrefixRouter(prefix="/v1"), APIRouter(prefix="/x"))


# PrefixRouter leans on FastAPI internals (pinned to one minor version in pyproject.toml).
# When an upgrade moves them, these fail and say which one, instead of the speed-up
# vanishing silently or, worse, a route being cached past a change.


def test_fastapi_still_has_the_route_cache_hooks_prefix_router_overrides() -> None:
    import inspect

    for hook in ("_mark_routes_changed", "_get_routes_version"):
        assert callable(getattr(APIRouter, hook, None)), f"APIRouter.{hook} is gone"
    assert "seen" in inspect.signature(APIRouter._get_routes_version).parameters


async def test_fastapi_still_asks_an_included_router_whether_it_matches() -> None:
    asked: list[str] = []

    class Spy(PrefixRouter):
        def matches(self, scope):  # type: ignore[no-untyped-def]
            asked.append(self.full_prefix)
            return super().matches(scope)

    app = FastAPI()
    v1, members = Spy(prefix="/v1"), Spy(prefix="/members")

    @members.get("/{member_id}")
    async def get_member(member_id: int) -> str:
        return f"member {member_id}"

    include(v1, members)
    app.include_router(v1)
    assert (await _get(app, "/v1/members/7")).json() == "member 7"
    assert "/v1/members" in asked, "FastAPI no longer asks routers: PrefixRouter does nothing"


async def test_fastapi_still_asks_for_the_routes_version_and_sees_a_change() -> None:
    versions: list[int] = []

    class Spy(PrefixRouter):
        def _get_routes_version(self, seen=None):  # type: ignore[no-untyped-def]
            versions.append(version := super()._get_routes_version(seen))
            return version

    app = FastAPI()
    v1 = Spy(prefix="/v1")

    @v1.get("/a")
    async def a() -> str:
        return "a"

    app.include_router(v1)
    assert (await _get(app, "/v1/a")).json() == "a"
    assert versions, "FastAPI no longer asks for the routes version: drop the override"
    before = versions[-1]

    @v1.get("/b")
    async def b() -> str:
        return "b"

    assert (await _get(app, "/v1/b")).json() == "b"
    assert versions[-1] != before, "a new route did not change the version FastAPI sees"
