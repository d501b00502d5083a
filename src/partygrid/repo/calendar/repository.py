"""The official holiday schedules an admin loaded, one row per year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from partygrid.domain.calendar import YearSchedule
from partygrid.repo.repository import SqlRepository
from partygrid.repo.tables import HolidayScheduleRow

Row = HolidayScheduleRow


def _to_domain(row: Any) -> YearSchedule:
    return YearSchedule(row.year, frozenset(row.holidays), frozenset(row.workdays), row.source)


class SqlScheduleRepository(SqlRepository):
    async def fingerprint(self) -> tuple[int, datetime | None]:
        """Changes whenever a schedule is added or replaced: lets every process keep its
        cached calendar until another process (or a rolled-back test) changes the table."""
        row = (await self.session.execute(select(func.count(), func.max(Row.loaded_at)))).one()
        return int(row[0]), row[1]

    async def all(self) -> list[tuple[YearSchedule, datetime]]:
        rows = (await self.session.execute(select(Row).order_by(Row.year))).scalars().all()
        return [(_to_domain(r), r.loaded_at) for r in rows]

    async def get(self, year: int) -> tuple[YearSchedule, datetime] | None:
        row = await self.session.get(Row, year)
        return (_to_domain(row), row.loaded_at) if row else None

    async def lock(self) -> None:
        """Loads of schedules run one at a time (the recompute reads what they wrote)."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEDULE_LOCK}
        )

    async def put(self, schedule: YearSchedule) -> datetime:
        """Store the year's schedule, replacing an earlier one; returns when it was loaded."""
        values = {
            "year": schedule.year,
            "holidays": sorted(schedule.holidays),
            "workdays": sorted(schedule.workdays),
            "source": schedule.source,
        }
        new = insert(Row).values(**values, loaded_at=func.clock_timestamp())
        upsert = new.on_conflict_do_update(
            index_elements=[Row.year],
            set_={
                "holidays": new.excluded.holidays,
                "workdays": new.excluded.workdays,
                "source": new.excluded.source,
                "loaded_at": new.excluded.loaded_at,
            },
        ).returning(Row.loaded_at)
        loaded_at: datetime = (await self.session.execute(upsert)).scalar_one()
        return loaded_at


SCHEDULE_LOCK = 0x5047_4341_4C45_4E  # "PGCALEN"
