"""Resident ID numbers (GB 11643) without a database: normalise, validate, derive, mask."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partygrid.domain.errors import InvalidValue
from partygrid.domain.identity import (
    Gender,
    birth_date_of,
    gender_of,
    mask_id_number,
    normalize_id_number,
)

TODAY = date(2026, 11, 22)
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def check_digit(body: str) -> str:
    """ISO 7064 MOD 11-2, written out here independently of the code under test."""
    remainder = (12 - sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def make_id(region: str = "110105", born: str = "19800101", seq: str = "123") -> str:
    body = region + born + seq
    return body + check_digit(body)


def refusal(raw: str, today: date = TODAY) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        normalize_id_number(raw, today=today)
    exc = info.value
    assert exc.field == "body.id_number"
    # The refusal must not leak the number, in any spelling.
    for text in (exc.detail, str(exc), repr(exc.extra)):
        assert raw not in text
        assert raw.upper() not in text
    return exc


def test_helper_agrees_with_the_example_printed_in_gb_11643() -> None:
    assert make_id("110105", "19491231", "002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("region", "born", "seq"),
    [
        ("110105", "19491231", "002"),  # 北京朝阳, check digit X
        ("440305", "19900307", "123"),  # 深圳南山
        ("510104", "20000229", "456"),  # 成都锦江, leap day
        ("320102", "19500101", "987"),  # 南京玄武: code from 1983, card issued later
        ("310115", "19800515", "010"),  # 浦东新区 (1992) holder born 1980
        ("830000", "19900307", "123"),  # 台湾居民居住证
    ],
)
def test_valid_numbers_pass_unchanged(region: str, born: str, seq: str) -> None:
    number = make_id(region, born, seq)
    assert normalize_id_number(number, today=TODAY) == number


def test_full_width_digits_spaces_and_lowercase_x_are_normalised() -> None:
    number = make_id("110105", "19491231", "002")
    assert number.endswith("X")
    full_width = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    assert normalize_id_number(full_width, today=TODAY) == number
    assert (
        normalize_id_number(f" {number[:6]} {number[6:14]} {number[14:-1]}x ", today=TODAY)
        == number
    )


def test_wrong_check_digit_is_named() -> None:
    number = make_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    exc = refusal(wrong)
    assert exc.extra["check"] == "checksum"
    assert "check digit" in exc.detail


def test_impossible_birth_date_is_named() -> None:
    exc = refusal(make_id(born="19990230"))
    assert exc.extra["check"] == "birth-date"
    assert "birth date" in exc.detail


def test_future_birth_date_is_refused() -> None:
    exc = refusal(make_id(born="20261123"), today=TODAY)
    assert exc.extra["check"] == "birth-date-future"
    assert normalize_id_number(make_id(born="20261122"), today=TODAY)


def test_unknown_province_is_named() -> None:
    exc = refusal(make_id(region="990101"))
    assert exc.extra["check"] == "province"


@pytest.mark.parametrize(
    ("region", "born"),
    [
        ("110199", "19900101"),  # no such county in Beijing
        ("110103", "20150101"),  # 崇文区 was merged away in 2010, before this birth
    ],
)
def test_unknown_or_abolished_region_is_named(region: str, born: str) -> None:
    assert refusal(make_id(region=region, born=born)).extra["check"] == "region"


def test_abolished_region_is_fine_for_people_born_before_it_ended() -> None:
    number = make_id(region="110103", born="20050101")
    assert normalize_id_number(number, today=TODAY) == number


@pytest.mark.parametrize(
    ("raw", "check"),
    [
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "format"),
        ("11010519491231002Y", "format"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "format"),  # Arabic-Indic digits are digits, not ASCII ones
    ],
)
def test_shape_errors_are_named(raw: str, check: str) -> None:
    assert refusal(raw).extra["check"] == check


@given(
    born=st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=17),
    delta=st.integers(min_value=1, max_value=9),
)
def test_every_single_digit_typo_is_refused(
    born: date, seq: int, position: int, delta: int
) -> None:
    number = make_id("440305", born.strftime("%Y%m%d"), f"{seq:03d}")
    assert normalize_id_number(number, today=TODAY) == number
    digit = number[position]
    new = "1" if digit == "X" else str((int(digit) + delta) % 10)
    typo = number[:position] + new + number[position + 1 :]
    with pytest.raises(InvalidValue):
        normalize_id_number(typo, today=TODAY)


def test_birth_date_gender_and_mask_are_derived() -> None:
    man = make_id("110105", "19491231", "001")  # 17th digit 1: odd
    woman = make_id("110105", "19491231", "002")
    assert birth_date_of(man) == date(1949, 12, 31)
    assert gender_of(man) is Gender.male
    assert gender_of(woman) is Gender.female
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert len(mask_id_number(man)) == 18
