"""The two wire formats of GeoReport v2: JSON, and XML with the element names of the spec.

A document is plain data (dicts, lists, str/int/float/bool/None) built by ``mapping``; this
module only writes it. Lists become a container element whose children take the singular
name the specification uses (``services``/``service``, ``attributes``/``attribute``, ...).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from enum import StrEnum
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

from partygrid.api.errors import HttpProblem

JSON_MEDIA_TYPE = "application/json; charset=utf-8"
XML_MEDIA_TYPE = "text/xml; charset=utf-8"  # the content type the specification shows
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Container element → the element of each item, as the specification names them.
ITEM_ELEMENTS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}


class Open311Error(HttpProblem):
    """A failure of the Open311 facade, with the status code the specification names
    (answered in the specification's ``errors`` format, like every error under it)."""

    code = "open311-error"


class Format(StrEnum):
    json = "json"
    xml = "xml"


def parse_format(value: str) -> Format:
    """The format of a resource path (``services.json``); anything else is not a resource."""
    try:
        return Format(value)
    except ValueError:
        raise Open311Error(404, f"unknown format {value[:20]!r}: use json or xml") from None


def format_of_path(path: str) -> Format:
    """For errors raised before a route runs: the extension the client asked for, and the
    specification's required format (XML) when there is none."""
    return Format.json if path.endswith(".json") else Format.xml


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        child = ITEM_ELEMENTS.get(name, "item")
        for item in value:
            _append(element, child, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: list[Any] | dict[str, Any]) -> bytes:
    """UTF-8 XML with the declaration the specification requires."""
    element = ET.Element(root)
    if isinstance(document, list):
        child = ITEM_ELEMENTS[root]
        for item in document:
            _append(element, child, item)
    else:
        for key, value in document.items():
            _append(element, key, value)
    ET.indent(element)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode() + b"\n"


def to_json(document: list[Any] | dict[str, Any]) -> bytes:
    return orjson.dumps(document)


def render(
    fmt: Format,
    root: str,
    document: list[Any] | dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    if fmt is Format.xml:
        return Response(to_xml(root, document), status, headers, XML_MEDIA_TYPE)
    return Response(to_json(document), status, headers, JSON_MEDIA_TYPE)


def error_status(status: int) -> int:
    """The status the specification uses for a failure PartyGrid would answer otherwise:
    a bad or missing api_key is 403, and invalid input is 400."""
    if status == 401:
        return 403
    if status in {409, 412, 422}:
        return 400
    return status


def error_response(
    fmt: Format, status: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    status = error_status(status)
    errors = [{"code": status, "description": description}]
    return render(fmt, "errors", errors, status=status, headers=headers)


def error_response_for(
    request: Request, status: int, description: str | None, headers: dict[str, str]
) -> Response:
    """The application's error handlers call this for every failure under the facade, so
    validation errors, unknown paths and rate limits reach Open311 clients in their format."""
    kept = {k: v for k, v in headers.items() if k.lower() == "retry-after"}
    fmt = format_of_path(request.url.path)
    return error_response(fmt, status, description or "request failed", kept or None)
