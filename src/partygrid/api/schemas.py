"""Schema building blocks shared by every feature."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields are refused, so nothing sneaks through."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputWarning(ResponseModel):
    """A soft check that failed: the request succeeded, but a person should look."""

    code: str = Field(examples=["id-number-region-unknown"])
    field: str = Field(examples=["body.id_number"])
    detail: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.-]+$")
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
