"""The service catalogue (服务目录): categories of tickets, their typed extra attributes
(shaped like Open311 service definitions) and their deadline rules per ticket type."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from partygrid.domain.errors import InvalidValue
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.domain.tickets.disclosure import DEFAULT_DISCLOSURE, Disclosure
from partygrid.domain.tickets.workflow import TicketType


class AttributeType(StrEnum):
    string = "string"
    number = "number"
    datetime = "datetime"
    text = "text"
    singlevaluelist = "singlevaluelist"
    multivaluelist = "multivaluelist"


LIST_TYPES = frozenset({AttributeType.singlevaluelist, AttributeType.multivaluelist})
MAX_STRING, MAX_TEXT = 200, 4000

# Which DeadlineRule field each type's override may set.
_RULE_FIELDS = {f.name for f in fields(DeadlineRule)}


@dataclass(frozen=True, slots=True)
class AttributeDefinition:
    code: str
    datatype: AttributeType
    required: bool = False
    description: str = ""
    values: tuple[str, ...] = ()  # allowed keys of the list types
    order: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "datatype": self.datatype.value,
            "required": self.required,
            "description": self.description,
            "values": list(self.values),
            "order": self.order,
        }


@dataclass(slots=True)
class ServiceCategory:
    code: str
    name: str
    default_type: TicketType
    description: str | None = None
    group_name: str | None = None
    keywords: list[str] = field(default_factory=list)
    # {"time_limited": {"working_days": 3}, "urgent": {"urgent_hours": 4}}
    deadline_overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    attributes: list[AttributeDefinition] = field(default_factory=list)
    disclosure: Disclosure = DEFAULT_DISCLOSURE
    active: bool = True
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def rule(self, base: DeadlineRule, ticket_type: TicketType) -> DeadlineRule:
        """The deployment rule with this category's override for ``ticket_type``."""
        override = self.deadline_overrides.get(ticket_type.value) or {}
        return replace(base, **override) if override else base


def parse_attribute_definitions(raw: list[dict[str, Any]]) -> list[AttributeDefinition]:
    """Definitions as an admin sends them; refused with the offending index named."""
    seen: set[str] = set()
    parsed = []
    for i, item in enumerate(raw):
        where = f"body.attributes.{i}"
        code = str(item.get("code") or "").strip()
        if not code or code in seen:
            raise InvalidValue("each attribute needs a unique code", field=f"{where}.code")
        seen.add(code)
        try:
            datatype = AttributeType(str(item.get("datatype")))
        except ValueError:
            raise InvalidValue(
                f"datatype is one of {', '.join(AttributeType)}", field=f"{where}.datatype"
            ) from None
        values = tuple(str(v) for v in item.get("values") or ())
        if (datatype in LIST_TYPES) != bool(values):
            raise InvalidValue(
                "list datatypes need values; other datatypes take none", field=f"{where}.values"
            )
        parsed.append(
            AttributeDefinition(
                code=code,
                datatype=datatype,
                required=bool(item.get("required", False)),
                description=str(item.get("description") or ""),
                values=values,
                order=int(item.get("order") or i),
            )
        )
    return parsed


def check_deadline_overrides(raw: dict[str, Any]) -> dict[str, dict[str, int]]:
    clean: dict[str, dict[str, int]] = {}
    for type_name, override in raw.items():
        where = f"body.deadline_overrides.{type_name}"
        if type_name not in TicketType.__members__:
            raise InvalidValue(f"{type_name} is not a ticket type", field=where)
        if not isinstance(override, dict):
            raise InvalidValue("an override maps rule names to numbers", field=where)
        for name, value in override.items():
            if name not in _RULE_FIELDS:
                raise InvalidValue(
                    f"rule is one of {', '.join(sorted(_RULE_FIELDS))}", field=f"{where}.{name}"
                )
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 3650:
                raise InvalidValue("a positive whole number", field=f"{where}.{name}")
        clean[type_name] = dict(override)
    return clean


def _check_value(definition: AttributeDefinition, value: Any, where: str) -> Any:
    t = definition.datatype
    if t in (AttributeType.string, AttributeType.text):
        limit = MAX_STRING if t is AttributeType.string else MAX_TEXT
        if not isinstance(value, str) or len(value) > limit:
            raise InvalidValue(f"{definition.code} is text of at most {limit} chars", field=where)
        return value.strip()
    if t is AttributeType.number:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidValue(f"{definition.code} is a number", field=where)
        return value
    if t is AttributeType.datetime:
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise InvalidValue(f"{definition.code} is an ISO 8601 date-time", field=where)
        return parsed.isoformat()
    chosen = [value] if t is AttributeType.singlevaluelist else value
    if (
        not isinstance(chosen, list)
        or not chosen
        or any(v not in definition.values for v in chosen)
    ):
        raise InvalidValue(
            f"{definition.code} takes {'one' if t is AttributeType.singlevaluelist else 'some'} "
            f"of: {', '.join(definition.values)}",
            field=where,
        )
    return value if t is AttributeType.singlevaluelist else list(dict.fromkeys(chosen))


def validate_attributes(
    definitions: list[AttributeDefinition], values: dict[str, Any]
) -> dict[str, Any]:
    """The values checked against the category's definitions: required ones present,
    each of its datatype, list values among the allowed ones, no unknown codes."""
    known = {d.code: d for d in definitions}
    for code in values:
        if code not in known:
            raise InvalidValue(
                f"the category has no attribute {code}", field=f"body.attributes.{code}"
            )
    clean: dict[str, Any] = {}
    for definition in definitions:
        where = f"body.attributes.{definition.code}"
        value = values.get(definition.code)
        if value is None or value == "" or value == []:
            if definition.required:
                raise InvalidValue(f"{definition.code} is required", field=where)
            continue
        clean[definition.code] = _check_value(definition, value, where)
    return clean
