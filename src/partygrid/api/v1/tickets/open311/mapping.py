"""PartyGrid's catalogue and tickets as GeoReport v2 documents (plain data, field names and
order as in the specification). Pure: no I/O, no framework."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.tickets.disclosure import (
    STATE_NOTES,
    Disclosure,
    PublicCategory,
    PublicTicket,
    masked,
    open311_status,
    status_notes,
)
from partygrid.domain.tickets.workflow import TicketState

LIST_DATATYPES = frozenset({"singlevaluelist", "multivaluelist"})
DATATYPES = frozenset({"string", "number", "datetime", "text"}) | LIST_DATATYPES


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the business time zone's offset, as the specification requires."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def service_notice(category: PublicCategory) -> str:
    if category.disclosure is Disclosure.never:
        return "诉求已登记，将按五件式限期办理；此类诉求不公开，可凭 token 查询办理进度。"
    return "诉求已登记，将按五件式限期办理；可凭编号或 token 查询进度。"


def service(category: PublicCategory) -> dict[str, Any]:
    """One ``service`` of GET services."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",  # every request gets its id at once
        "keywords": ", ".join(category.keywords) or None,
        "group": category.group_name,
    }


def attribute_values(attribute: dict[str, Any]) -> list[dict[str, Any]]:
    """``values`` of a list attribute: stored as {"key", "name"} pairs or bare strings."""
    values: list[dict[str, Any]] = []
    for value in attribute.get("values") or []:
        if isinstance(value, dict):
            key = value.get("key", value.get("code", value.get("name")))
            values.append({"key": key, "name": value.get("name", key)})
        else:
            values.append({"key": value, "name": value})
    return values


def attribute(spec: dict[str, Any], order: int) -> dict[str, Any]:
    datatype = spec.get("datatype", "string")
    described: dict[str, Any] = {
        "variable": spec.get("variable", True),
        "code": spec["code"],
        "datatype": datatype if datatype in DATATYPES else "string",
        "required": bool(spec.get("required", False)),
        "datatype_description": spec.get("datatype_description"),
        "order": spec.get("order", order),
        "description": spec.get("description") or spec.get("name") or spec["code"],
    }
    if datatype in LIST_DATATYPES:
        described["values"] = attribute_values(spec)
    return described


def service_definition(category: PublicCategory) -> dict[str, Any]:
    """GET service definition: the typed attributes a request of this service carries."""
    return {
        "service_code": category.code,
        "attributes": [attribute(spec, i) for i, spec in enumerate(category.attributes, 1)],
    }


def service_request(ticket: PublicTicket) -> dict[str, Any]:
    """One ``request`` of GET requests. Nothing about the requester, ever."""
    return {
        "service_request_id": ticket.public_id,
        "status": open311_status(ticket.state).value,
        "status_notes": status_notes(ticket),
        "service_name": ticket.category_name,
        "service_code": ticket.category_code,
        "description": masked(ticket.description),
        "agency_responsible": ticket.agency,
        "service_notice": None,
        "requested_datetime": iso(ticket.created_at),
        "updated_datetime": iso(ticket.updated_at),
        "expected_datetime": iso(ticket.deadline_at),
        "address": masked(ticket.address),
        "address_id": None,
        "zipcode": None,
        "lat": ticket.lat,
        "long": ticket.lon,
        "media_url": ticket.media_url,
    }


def created_request(public_id: str, token: str, category: PublicCategory) -> dict[str, Any]:
    """The answer to POST requests: synchronous, so the id at once, and the filer's own
    token, which follows the request even where the public may not read it."""
    return {
        "service_request_id": public_id,
        "token": token,
        "service_notice": service_notice(category),
        "account_id": None,
    }


def token_request(public_id: str, token: str, state: TicketState) -> dict[str, Any]:
    """GET tokens, with where the request stands (an extension): the status and the fixed
    wording of its state, nothing of the request's content."""
    return {
        "service_request_id": public_id,
        "token": token,
        "status": open311_status(state).value,
        "status_notes": STATE_NOTES[state],
    }
