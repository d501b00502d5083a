"""ID numbers and mobile numbers never reach a log line, whatever logger or spelling."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from partygrid.domain.personal_data import redact_personal_data
from partygrid.logging import PersonalDataFilter, install_personal_data_filter
from tests.platform.test_identity import make_id

NUMBER = make_id("110105", "19491231", "002")  # 11010519491231002X
MASKED = "110105********002X"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    "spelling",
    [NUMBER, NUMBER.lower(), NUMBER.translate(FULL_WIDTH),
     f"{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}", f"{NUMBER[:6]}-{NUMBER[6:14]}-{NUMBER[14:]}"],
)  # fmt: skip
def test_id_numbers_are_masked_in_any_spelling(spelling: str) -> None:
    assert redact_personal_data(f"身份证号：{spelling}。") == f"身份证号：{MASKED}。"


@pytest.mark.parametrize(
    "spelling",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "+8613812345678",
     "008613812345678", "86-138-1234-5678", "１３８１２３４５６７８"],
)  # fmt: skip
def test_mobile_numbers_are_masked_in_any_spelling(spelling: str) -> None:
    assert redact_personal_data(f"phone={spelling};") == "phone=138****5678;"


@pytest.mark.parametrize(
    "text",
    ["order 1234567890123456789 shipped", "12345678901234567", "2026-11-22 03:14:01.014511",
     "member 42 version 3", "0532-88886678", "12812345678", "request 1b4e28ba2fa1", "¥1380.00"],
)  # fmt: skip
def test_other_numbers_are_left_alone(text: str) -> None:
    assert redact_personal_data(text) == text


def test_several_numbers_in_one_line() -> None:
    line = f"dup {NUMBER} and {NUMBER.lower()} from 13912345678/15012345678"
    assert redact_personal_data(line) == (f"dup {MASKED} and {MASKED} from 139****5678/150****5678")


@pytest.fixture
def scrubbed_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    before = logging.getLogRecordFactory()
    install_personal_data_filter()
    install_personal_data_filter()  # idempotent: one wrapper, not two
    caplog.set_level(logging.INFO)
    try:
        yield caplog
    finally:
        logging.setLogRecordFactory(before)


def test_messages_and_arguments_are_scrubbed(scrubbed_logs: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("partygrid.test.anything")
    log.warning(f"registering {NUMBER}")
    log.warning("member %s phone %s", NUMBER.lower(), "138 1234 5678")
    log.warning("as mapping %(n)s", {"n": NUMBER})
    log.warning("an object %s", ValueError(f"Key (id_number)=({NUMBER}) already exists"))
    log.info("%s %s %s %s %s", "127.0.0.1:5000", "GET", f"/x?q={NUMBER}", "1.1", 200)
    messages = [r.getMessage() for r in scrubbed_logs.records]
    assert messages == [
        f"registering {MASKED}",
        f"member {MASKED} phone 138****5678",
        f"as mapping {MASKED}",
        f"an object Key (id_number)=({MASKED}) already exists",
        f"127.0.0.1:5000 GET /x?q={MASKED} 1.1 200",
    ]
    # uvicorn's access formatter unpacks exactly five arguments: their shape is kept.
    assert scrubbed_logs.records[-1].args[4] == 200  # type: ignore[index]
    assert NUMBER not in scrubbed_logs.text and "13812345678" not in scrubbed_logs.text


def test_a_number_given_to_a_numeric_conversion_still_logs(
    scrubbed_logs: pytest.LogCaptureFixture,
) -> None:
    logging.getLogger("partygrid.test").warning("calling %d now", 13812345678)
    assert [r.getMessage() for r in scrubbed_logs.records] == ["calling 138****5678 now"]


def test_tracebacks_are_scrubbed(scrubbed_logs: pytest.LogCaptureFixture) -> None:
    try:
        raise RuntimeError(f"could not insert {NUMBER} / 13812345678")
    except RuntimeError:
        logging.getLogger("partygrid.test").exception("insert failed")
    assert "insert failed" in scrubbed_logs.text
    assert f"RuntimeError: could not insert {MASKED} / 138****5678" in scrubbed_logs.text
    assert NUMBER not in scrubbed_logs.text and "13812345678" not in scrubbed_logs.text


def test_the_filter_works_on_a_handler_too() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (NUMBER,), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.getMessage() == f"id {MASKED}"
