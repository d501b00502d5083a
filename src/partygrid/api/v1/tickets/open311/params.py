"""Query parameters of GET requests as the specification spells them, checked into a
filter; every refusal is a 400 in the specification's error format."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from partygrid.api.v1.tickets.open311.formats import Open311Error
from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.tickets.disclosure import Open311Status, states_with_status
from partygrid.domain.tickets.workflow import TicketState
from partygrid.repo.tickets.public_reads import RequestFilter

_PLUS_AS_SPACE = re.compile(r" (\d{2}:?\d{2})$")
DEFAULT_SPAN = timedelta(days=90)  # the specification's default and longest window
MAX_PAGE_SIZE = 200  # the specification allows 1000 at once; we answer at most this many
# OFFSET paging makes PostgreSQL read and drop every row before the page, so how deep a
# page may go is bounded: the newest 4,000 of a window at most (a whole city's day of public
# requests at S=1 is about 900). Older ones are reached by narrowing the window
# (start_date/end_date), which the created_at index serves directly.
MAX_PAGE = 20


def comma_list(value: str | None, name: str, *, most: int = MAX_PAGE_SIZE) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))
    if len(items) > most:
        raise Open311Error(400, f"{name} lists at most {most} values")
    return items


def parse_datetime(value: str | None, name: str) -> datetime | None:
    """ISO 8601 (W3C profile); a value without an offset is read in Asia/Shanghai."""
    if value is None or not value.strip():
        return None
    try:
        # An unencoded "+08:00" in a query string arrives as " 08:00".
        moment = datetime.fromisoformat(_PLUS_AS_SPACE.sub(r"+\1", value.strip()))
    except ValueError:
        raise Open311Error(400, f"{name} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def parse_statuses(value: str | None) -> frozenset[TicketState] | None:
    names = comma_list(value, "status", most=2)
    if not names:
        return None
    states: frozenset[TicketState] = frozenset()
    for name in names:
        try:
            states |= states_with_status(Open311Status(name))
        except ValueError:
            raise Open311Error(400, "status is open or closed (comma-separated)") from None
    return states


def window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """start_date/end_date, defaulting to the 90 days the specification names, and never
    wider than that."""
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - DEFAULT_SPAN
    if end is None:
        end = start + DEFAULT_SPAN
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > DEFAULT_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def request_filter(
    *,
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
    now: datetime,
) -> RequestFilter:
    ids = comma_list(service_request_id, "service_request_id")
    if ids:  # the specification: ids override every other argument
        return RequestFilter(public_ids=ids)
    start, end = window(
        parse_datetime(start_date, "start_date"), parse_datetime(end_date, "end_date"), now
    )
    return RequestFilter(
        category_codes=comma_list(service_code, "service_code"),
        states=parse_statuses(status),
        created_from=start,
        created_to=end,
    )


def page_window(page: int | None, page_size: int | None) -> tuple[int, int]:
    """(offset, limit) of the widely implemented page/page_size extension."""
    size = MAX_PAGE_SIZE if page_size is None else page_size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Open311Error(400, f"page_size is between 1 and {MAX_PAGE_SIZE}")
    number = 1 if page is None else page
    if not 1 <= number <= MAX_PAGE:
        raise Open311Error(
            400, f"page is between 1 and {MAX_PAGE}: narrow start_date/end_date to see older"
        )
    return (number - 1) * size, size
