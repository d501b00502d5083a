"""ETags carry the row version; If-Match turns a lost update into a 412."""

from __future__ import annotations

from fastapi import Response

from partygrid.domain.errors import InvalidValue


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names, or None when the header is absent."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise InvalidValue("If-Match must be an ETag this API returned", field="header.If-Match")
    return int(tag)
