"""Schemas of the service catalogue (服务目录)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from partygrid.api.schemas.common import Code, Name, Note, RequestModel, ResponseModel
from partygrid.domain.catalogue import ServiceCategory
from partygrid.domain.tickets import TicketType

Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
OVERRIDES_DOC = (
    'Per ticket type, the deadline rule fields it changes, e.g. {"time_limited": '
    '{"working_days": 3}, "urgent": {"urgent_hours": 4}}; fields: urgent_hours, '
    "working_days, supplementary_days, suggestion_days, soon_due_hours."
)


class CategoryAttribute(BaseModel):
    """An extra field of tickets in this category (like an Open311 service attribute)."""

    code: Code
    datatype: Datatype
    required: bool = False
    description: str = ""
    values: list[str] = Field(default_factory=list, description="Allowed keys of list types.")
    order: int = 0


class ServiceCategoryCreate(RequestModel):
    code: Code = Field(examples=["road_facilities"], description="2-64 of a-z, 0-9, _ . -")
    name: Name = Field(examples=["道路设施"])
    default_type: TicketType
    description: Note | None = None
    group_name: Name | None = None
    keywords: list[str] = Field(default_factory=list, max_length=50)
    deadline_overrides: dict[str, dict[str, int]] = Field(
        default_factory=dict, description=OVERRIDES_DOC
    )
    attributes: list[CategoryAttribute] = Field(default_factory=list, max_length=50)


class ServiceCategoryUpdate(RequestModel):
    """Edit; omitted fields stay. ``active: false`` retires the category for new tickets."""

    name: Name | None = None
    default_type: TicketType | None = None
    description: Note | None = None
    group_name: Name | None = None
    keywords: list[str] | None = Field(default=None, max_length=50)
    deadline_overrides: dict[str, dict[str, int]] | None = Field(
        default=None, description=OVERRIDES_DOC
    )
    attributes: list[CategoryAttribute] | None = Field(default=None, max_length=50)
    active: bool | None = None


class ServiceCategoryRead(ResponseModel):
    code: str
    name: str
    default_type: TicketType
    description: str | None
    group_name: str | None
    keywords: list[str]
    deadline_overrides: dict[str, dict[str, int]]
    attributes: list[CategoryAttribute]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: ServiceCategory) -> ServiceCategoryRead:
        return cls(
            code=c.code, name=c.name, default_type=c.default_type, description=c.description,
            group_name=c.group_name, keywords=c.keywords, deadline_overrides=c.deadline_overrides,
            attributes=[CategoryAttribute(**a.as_dict()) for a in c.attributes], active=c.active,
            version=c.version, created_at=c.created_at, updated_at=c.updated_at,
        )  # fmt: skip


class ServiceCategoryList(BaseModel):
    items: list[ServiceCategoryRead]
