"""Declarative base with named constraints, and the PostgreSQL types SQLAlchemy lacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Text, cast, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

# Named constraints make migrations reviewable and let error mapping recognise
# which rule a violation broke.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class LTree(UserDefinedType[str]):
    """PostgreSQL ``ltree`` (extension): the materialized path of the organization tree."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "LTREE"

    def bind_expression(self, bindvalue: Any) -> Any:
        return func.text2ltree(bindvalue)

    def column_expression(self, colexpr: Any) -> Any:
        return func.ltree2text(colexpr)


class Polygon(UserDefinedType[str]):
    """PostgreSQL built-in ``polygon``, bound as its text form ``((x1,y1),...)``."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "POLYGON"

    def bind_expression(self, bindvalue: Any) -> Any:
        # polygon() is overloaded (box, path, circle): an untyped parameter is ambiguous.
        return func.polygon(cast(bindvalue, Text))

    def column_expression(self, colexpr: Any) -> Any:
        return func.text(colexpr)
