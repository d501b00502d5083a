"""ID numbers (GB 11643) without a database: normalise, validate per population, derive,
mask; the vectors and drills of RELIABILITY.md "Identity numbers and phones" (T23)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from partygrid.domain.errors import InvalidValue
from partygrid.domain.identity import (
    CITIZENS,
    EVERYONE,
    Gender,
    IdDocument,
    birth_date_of,
    check_id_number,
    gender_of,
    mask_id_number,
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


def normalize_id_number(raw: str, *, today: date = TODAY, population=EVERYONE) -> str:
    """The number when it is accepted without a warning."""
    checked = check_id_number(raw, population=population, today=today)
    assert checked.warnings == (), checked.warnings
    return checked.number


def warning_codes(raw: str, **kw) -> list[str]:
    return [w.code for w in check_id_number(raw, population=EVERYONE, today=TODAY, **kw).warnings]


def refusal(raw: str, today: date = TODAY, population=EVERYONE) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        check_id_number(raw, population=population, today=today)
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


@pytest.mark.parametrize("region", ["160101", "710101", "000000", "800000", "840000"])
def test_unknown_province_is_named(region: str) -> None:
    """Rule 4: citizens' numbers start with a province of {11-15, 21-23, 31-37, 41-46,
    50-54, 61-65}; 71 (Taiwan) is on no resident ID card."""
    exc = refusal(make_id(region=region))
    assert exc.extra["check"] == "province"


def test_the_reliability_vectors() -> None:
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"
    assert normalize_id_number("360426199101010071") == "360426199101010071"
    assert refusal(make_id(born="19990230")).extra["check"] == "birth-date"


def test_a_valid_number_the_region_table_does_not_confirm_is_accepted_with_a_warning() -> None:
    """Rule 5: the county lookup only warns. 440524 (潮阳县) is on cards issued long after
    the holder's birth in 1880, which also makes them older than anyone alive."""
    checked = check_id_number("440524188001010014", population=CITIZENS, today=TODAY)
    assert checked.number == "440524188001010014"
    assert checked.document is IdDocument.resident_id
    assert [w.code for w in checked.warnings] == ["id-number-age-implausible"]
    for warning in checked.warnings:
        assert "440524188001010014" not in warning.detail


@pytest.mark.parametrize(
    ("region", "born"),
    [
        ("110199", "19900101"),  # no such county in Beijing
        ("110103", "20150101"),  # 崇文区 was merged away in 2010, before this birth
        ("469099", "19900101"),  # a code newer than the table
    ],
)
def test_unknown_or_abolished_region_warns(region: str, born: str) -> None:
    number = make_id(region=region, born=born)
    checked = check_id_number(number, population=CITIZENS, today=TODAY)
    assert checked.number == number
    assert [w.code for w in checked.warnings] == ["id-number-region-unknown"]


def test_a_stated_gender_the_number_disagrees_with_warns() -> None:
    """Rule 6: an odd 17th digit is a man's; the number is kept, the mismatch flagged."""
    man = make_id(seq="001")
    assert warning_codes(man, stated_gender=Gender.male) == []
    assert warning_codes(man, stated_gender=Gender.female) == ["id-number-gender-mismatch"]


def test_birth_dates_before_the_floor_are_refused() -> None:
    """Rule 3: nobody born before 1870 was alive when 18-digit numbers came in (1999)."""
    assert refusal(make_id(born="18691231")).extra["check"] == "birth-date-early"
    assert check_id_number(make_id(born="18700101"), population=EVERYONE, today=TODAY)


# The three documents numbered on the GB 11643 layout, one example each.
RESIDENT_ID = make_id("110105", "19800101", "123")
RESIDENCE_PERMITS = [make_id(r, "19900307", "123") for r in ("810000", "820000", "830000")]
PERMANENT_RESIDENCE = make_id("911840", "19850412", "021")  # 9, then as the standard lays out


@pytest.mark.parametrize("number", [RESIDENT_ID, *RESIDENCE_PERMITS, PERMANENT_RESIDENCE])
def test_everyone_takes_all_three_documents(number: str) -> None:
    """What a residents' registry needs: citizens, HK/Macao/Taiwan residents with a
    residence permit, foreigners with permanent residence."""
    assert normalize_id_number(number, population=EVERYONE) == number


def test_documents_are_told_apart_by_their_leading_digits() -> None:
    documents = [
        check_id_number(n, population=EVERYONE, today=TODAY).document
        for n in (RESIDENT_ID, RESIDENCE_PERMITS[0], PERMANENT_RESIDENCE)
    ]
    assert documents == [
        IdDocument.resident_id,
        IdDocument.residence_permit,
        IdDocument.permanent_residence,
    ]


@pytest.mark.parametrize("number", [*RESIDENCE_PERMITS, PERMANENT_RESIDENCE])
def test_citizens_only_refuses_permits_and_permanent_residence(number: str) -> None:
    exc = refusal(number, population=CITIZENS)
    assert exc.extra["check"] == "population"
    assert "居民身份证" in exc.detail


def test_a_residence_permit_number_has_exactly_its_region() -> None:
    assert refusal(make_id("810100", "19900307", "123")).extra["check"] == "province"


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


PROVINCES = [
    *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
    *range(61, 66),
]  # fmt: skip
# Any region: a citizen's province and any county digits, a residence permit, or a
# permanent residence ID (9 and any five digits).
regions = st.one_of(
    st.builds(lambda p, c: f"{p}{c:04d}", st.sampled_from(PROVINCES), st.integers(0, 9999)),
    st.sampled_from(["810000", "820000", "830000"]),
    st.integers(0, 99999).map(lambda n: f"9{n:05d}"),
)
valid_numbers = st.builds(
    lambda region, born, seq: make_id(region, born.strftime("%Y%m%d"), f"{seq:03d}"),
    regions,
    st.dates(min_value=date(1870, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@settings(max_examples=300)
@given(number=valid_numbers)
def test_any_valid_number_is_accepted(number: str) -> None:
    """T23: any region, date and sequence passes (a county the table lacks only warns)."""
    assert check_id_number(number, population=EVERYONE, today=TODAY).number == number


@settings(max_examples=300)
@given(
    number=valid_numbers,
    position=st.integers(min_value=0, max_value=17),
    delta=st.integers(min_value=1, max_value=9),
)
def test_every_single_digit_typo_is_refused(number: str, position: int, delta: int) -> None:
    digit = number[position]
    new = "1" if digit == "X" else str((int(digit) + delta) % 10)
    typo = number[:position] + new + number[position + 1 :]
    with pytest.raises(InvalidValue):
        check_id_number(typo, population=EVERYONE, today=TODAY)


@settings(max_examples=300)
@given(number=valid_numbers, position=st.integers(min_value=0, max_value=16))
def test_every_adjacent_transposition_is_refused(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(InvalidValue):
        check_id_number(swapped, population=EVERYONE, today=TODAY)


def test_birth_date_gender_and_mask_are_derived() -> None:
    man = make_id("110105", "19491231", "001")  # 17th digit 1: odd
    woman = make_id("110105", "19491231", "002")
    assert birth_date_of(man) == date(1949, 12, 31)
    assert gender_of(man) is Gender.male
    assert gender_of(woman) is Gender.female
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert len(mask_id_number(man)) == 18
