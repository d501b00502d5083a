"""A router that turns away, in one string comparison, every path outside its prefix.

FastAPI 0.16x finds a request's route by asking every included router in turn, and each
router asks every one of its routes (several microseconds a route, and twice: once to
choose the router, once to choose the route in it). With ninety paths, a request for a
route near the end paid about 0.6 ms of CPU before its handler ran (bench/RESULTS.md).
Here each feature router first compares the path with its own prefix, so a request
scans only the routes that could serve it. Older FastAPI copies included routes into
the parent and never asks the router itself: there this changes nothing.

FastAPI also asks, before each of those scans, whether any route of the router or of
the routers below it has changed since it cached them, by walking the whole tree: four
walks of ninety routes a request. A PrefixRouter remembers the answer until a route of
any PrefixRouter changes (``_ROUTE_CHANGES``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

# How many times a route of any PrefixRouter was added or included. A plain APIRouter
# included below a PrefixRouter would not count here: include() refuses one.
_ROUTE_CHANGES = [0]


class PrefixRouter(APIRouter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._version_seen: tuple[int, int] | None = None  # (_ROUTE_CHANGES, version)
        super().__init__(*args, **kwargs)
        self.mounted_at = ""  # the parent's full prefix, set by include()

    def _mark_routes_changed(self) -> None:
        super()._mark_routes_changed()
        _ROUTE_CHANGES[0] += 1

    def _get_routes_version(self, seen: set[int] | None = None) -> int:
        cached = self._version_seen
        if cached is not None and cached[0] == _ROUTE_CHANGES[0]:
            return cached[1]
        version: int = super()._get_routes_version(seen)
        if seen is None:  # the whole subtree's answer, not a step of a parent's walk
            self._version_seen = (_ROUTE_CHANGES[0], version)
        return version

    @property
    def full_prefix(self) -> str:
        return self.mounted_at + self.prefix

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not _under(_route_path(scope), self.full_prefix):
            return Match.NONE, {}
        return super().matches(scope)


def include(parent: APIRouter, child: APIRouter) -> None:
    """``parent.include_router(child)``, telling a PrefixRouter child where it lives."""
    if isinstance(parent, PrefixRouter) and not isinstance(child, PrefixRouter):
        raise TypeError("include a PrefixRouter below a PrefixRouter (see _ROUTE_CHANGES)")
    if isinstance(child, PrefixRouter):
        child.mounted_at = (parent.full_prefix if isinstance(parent, PrefixRouter)
                            else parent.prefix)  # fmt: skip
    parent.include_router(child)


def _under(path: str, prefix: str) -> bool:
    # "/members" serves "/members", "/members/..." and, for the slash redirect,
    # "/members/"; never "/membership".
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _route_path(scope: Scope) -> str:
    # As Starlette matches: the path below the ASGI root_path (a proxy's mount point).
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
