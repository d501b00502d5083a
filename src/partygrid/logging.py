"""Keeps personal data out of the logs: every record is scrubbed as it is created.

A filter on a handler only sees the records of that handler, and uvicorn configures its
own handlers after the application is built; so ``install_personal_data_filter`` wraps
the log record factory instead, which every logger of the process goes through. The
same scrubbing is available as ``PersonalDataFilter`` for a logging configuration.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from partygrid.domain.personal_data import redact_personal_data

_MARK = "_partygrid_scrubs_personal_data"


def _scrubbed(value: Any) -> Any:
    """The value, or its masked text when its text holds personal data."""
    if isinstance(value, str):
        return redact_personal_data(value)
    if value is None or isinstance(value, bool | float):
        return value
    try:
        text = str(value)
    except Exception:  # a broken __str__ is the formatter's problem, not ours
        return value
    masked = redact_personal_data(text)
    return value if masked == text else masked


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask personal data in the message, its arguments, the exception and stack text."""
    record.msg = _scrubbed(record.msg)
    args = record.args
    if isinstance(args, Mapping):
        record.args = {key: _scrubbed(value) for key, value in args.items()}
    elif isinstance(args, tuple) and args:
        record.args = tuple(_scrubbed(value) for value in args)
    if record.args and record.args is not args:
        try:
            str(record.msg) % record.args
        except (TypeError, ValueError, KeyError):
            # A masked number given to %d: keep the rendered, masked line instead.
            record.msg = redact_personal_data(_rendered(record.msg, args))
            record.args = None
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text when it is set, so the traceback is masked once here.
        record.exc_text = redact_personal_data(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact_personal_data(record.stack_info)
    return record


def _rendered(msg: Any, args: Any) -> str:
    try:
        return str(msg) % args
    except Exception:
        return f"{msg} {args!r}"


class PersonalDataFilter(logging.Filter):
    """Masks resident ID numbers and mobile numbers in whatever it lets through."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


def install_personal_data_filter() -> None:
    """Scrub every log record of the process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _MARK, False):
        return

    def scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(factory(*args, **kwargs))

    setattr(scrubbing_factory, _MARK, True)
    logging.setLogRecordFactory(scrubbing_factory)
