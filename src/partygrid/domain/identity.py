"""Resident ID numbers (居民身份证号码, GB 11643): normalise, validate, derive, mask.

The number is sensitive personal information: no message raised here ever contains it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum

from stdnum import numdb
from stdnum.cn import ric

from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.errors import InvalidValue

ID_NUMBER_FIELD = "body.id_number"

# Provincial-level codes of GB/T 2260 (the first two digits); 71 is 台湾, and 81, 82, 83
# are used by the residence permits of Hong Kong, Macao and Taiwan residents (2018).
PROVINCE_CODES = frozenset(
    (
        *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
        *range(61, 66), 71, 81, 82, 83,
    )
)  # fmt: skip

# 港澳台居民居住证 numbers start with these; they are in no county table.
RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})

_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


class Gender(StrEnum):
    male = "male"
    female = "female"


def _invalid(detail: str, check: str, field: str) -> InvalidValue:
    return InvalidValue(f"ID number {detail}", field=field, check=check)


def business_today() -> date:
    """Today in the business time zone (Asia/Shanghai), whatever the server's zone."""
    return datetime.now(SHANGHAI).date()


def normalize_id_number(
    raw: str, *, today: date | None = None, field: str = ID_NUMBER_FIELD
) -> str:
    """The canonical 18-character form, or InvalidValue naming the check that failed.

    Full-width digits become ASCII (NFKC), inner and outer spaces go, ``x`` becomes ``X``.
    """
    number = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if len(number) != 18:
        raise _invalid("must have 18 characters", "length", field)
    if not _SHAPE.fullmatch(number):
        raise _invalid("must be 17 digits followed by a digit or X", "format", field)
    if ric.calc_check_digit(number) != number[-1]:
        raise _invalid("check digit does not match (GB 11643 MOD 11-2)", "checksum", field)
    if int(number[:2]) not in PROVINCE_CODES:
        raise _invalid("starts with an unknown province code", "province", field)
    try:
        born = birth_date_of(number)
    except ValueError:
        raise _invalid("contains a birth date that does not exist", "birth-date", field) from None
    if born > (today or business_today()):
        raise _invalid("contains a birth date in the future", "birth-date-future", field)
    if number[:6] not in RESIDENCE_PERMIT_REGIONS and not _region_possible(number[:6], born.year):
        raise _invalid("contains an unknown region code", "region", field)
    return number


def _region_possible(code: str, birth_year: int) -> bool:
    """Whether the county code (stdnum's GB/T 2260 table) can be on this person's card.

    Stricter ``ric.validate`` wants the code to have existed in the birth year, but cards
    carry the code of the place of registration when issued, so people born before a
    district was created (浦东新区 1992) hold its code. Only a code abolished before the
    birth year is impossible.
    """
    props = {k: v for _, p in numdb.get("cn/loc").info(code) for k, v in p.items()}
    for county in props.get("county", "").split(","):
        if not county:
            continue
        if not county.startswith("["):
            return True
        end = county[1:].split("]", 1)[0].partition("-")[2]
        if not end or int(end) >= birth_year:
            return True
    return False


def birth_date_of(number: str) -> date:
    """Digits 7-14 are the birth date (YYYYMMDD); ValueError when it is not a real date."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_of(number: str) -> Gender:
    """The 17th digit (order code) is odd for men and even for women."""
    return Gender.male if int(number[16]) % 2 else Gender.female


def mask_id_number(number: str) -> str:
    """Region code and check part only, e.g. ``110105********002X``."""
    return f"{number[:6]}{'*' * 8}{number[-4:]}"
