"""ID numbers of the GB 11643 layout (居民身份证号码 and the permits numbered like it):
normalise, validate for a population, derive, mask.

The number is sensitive personal information: no message raised here ever contains it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from stdnum import numdb
from stdnum.cn import ric

from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.errors import InvalidValue

ID_NUMBER_FIELD = "body.id_number"

# Provincial-level codes of GB/T 2260 (the first two digits) on citizens' numbers.
PROVINCE_CODES = frozenset(
    (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
     *range(61, 66))
)  # fmt: skip

# 港澳台居民居住证 numbers start with one of these; they are in no county table.
RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})

# Nobody born earlier was alive in 1999, when the 18-digit numbers were introduced.
EARLIEST_BIRTH = date(1870, 1, 1)
# Older than anyone has lived: a typo in the birth date is likelier than the person.
PLAUSIBLE_AGE = 120

_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


class Gender(StrEnum):
    male = "male"
    female = "female"


class IdDocument(StrEnum):
    """The identity document an 18-character number belongs to (GB 11643 layout)."""

    resident_id = "resident_id"  # 居民身份证: citizens with a mainland household register
    residence_permit = "residence_permit"  # 港澳台居民居住证: 810000 / 820000 / 830000
    permanent_residence = "permanent_residence"  # 外国人永久居留身份证 (2023): starts with 9


_DOCUMENT_NAMES = {
    IdDocument.resident_id: "a resident ID number (居民身份证)",
    IdDocument.residence_permit: "a Hong Kong, Macao or Taiwan residence permit (港澳台居民居住证)",
    IdDocument.permanent_residence: "a foreigner's permanent residence ID (外国人永久居留身份证)",
}

# Which documents an endpoint accepts. Party membership needs PRC nationality, and the
# organisation departments keep members under their 居民身份证: a member registry takes
# citizens only. A registry of everyone living in a grid (residents) takes all three.
Population = frozenset[IdDocument]
CITIZENS: Population = frozenset({IdDocument.resident_id})
EVERYONE: Population = frozenset(IdDocument)


@dataclass(frozen=True, slots=True)
class IdNumberWarning:
    """A soft check that failed: the number is accepted, the caller is told to look."""

    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class CheckedIdNumber:
    number: str  # the canonical 18 characters
    document: IdDocument
    warnings: tuple[IdNumberWarning, ...] = ()


def _invalid(detail: str, check: str, field: str) -> InvalidValue:
    return InvalidValue(f"ID number {detail}", field=field, check=check)


def business_today() -> date:
    """Today in the business time zone (Asia/Shanghai), whatever the server's zone."""
    return datetime.now(SHANGHAI).date()


def document_of(number: str) -> IdDocument:
    """Which document a well-formed number belongs to, by its leading digits."""
    if number[0] == "9":
        return IdDocument.permanent_residence
    if number[:2] in {"81", "82", "83"}:
        return IdDocument.residence_permit
    return IdDocument.resident_id


def check_id_number(
    raw: str,
    *,
    population: Population,
    today: date | None = None,
    stated_gender: Gender | None = None,
    field: str = ID_NUMBER_FIELD,
) -> CheckedIdNumber:
    """The canonical number with its document and soft warnings, or InvalidValue naming
    the hard check that failed (RELIABILITY.md, rules 1-6).

    Full-width digits become ASCII (NFKC), inner and outer spaces go, ``x`` becomes ``X``.
    ``population`` is what the endpoint accepts; the county lookup and a ``stated_gender``
    that disagrees with the order code only warn.
    """
    number = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if len(number) != 18:
        raise _invalid("must have 18 characters", "length", field)
    if not _SHAPE.fullmatch(number):
        raise _invalid("must be 17 digits followed by a digit or X", "format", field)
    if ric.calc_check_digit(number) != number[-1]:
        raise _invalid("check digit does not match (GB 11643 MOD 11-2)", "checksum", field)
    document = document_of(number)
    if document not in population:
        accepted = " or ".join(_DOCUMENT_NAMES[d] for d in IdDocument if d in population)
        raise _invalid(
            f"is {_DOCUMENT_NAMES[document]}; this register accepts {accepted} only",
            "population", field,
        )  # fmt: skip
    if document is IdDocument.resident_id and int(number[:2]) not in PROVINCE_CODES:
        raise _invalid("starts with an unknown province code", "province", field)
    if document is IdDocument.residence_permit and number[:6] not in RESIDENCE_PERMIT_REGIONS:
        raise _invalid(
            "is not a residence permit number: those start with 810000, 820000 or 830000",
            "province", field,
        )  # fmt: skip
    try:
        born = birth_date_of(number)
    except ValueError:
        raise _invalid("contains a birth date that does not exist", "birth-date", field) from None
    today = today or business_today()
    if born > today:
        raise _invalid("contains a birth date in the future", "birth-date-future", field)
    if born < EARLIEST_BIRTH:
        raise _invalid(
            f"contains a birth date before {EARLIEST_BIRTH.year}", "birth-date-early", field
        )
    warnings = _warnings(number, document, born, today, stated_gender)
    return CheckedIdNumber(number, document, warnings)


def _warnings(
    number: str, document: IdDocument, born: date, today: date, stated_gender: Gender | None
) -> tuple[IdNumberWarning, ...]:
    found = []
    if document is IdDocument.resident_id and not _region_possible(number[:6], born.year):
        # The table (python-stdnum's, from GB/T 2260) lags and misses codes, and a card
        # keeps the code it was issued with: an unknown county is worth a look, no more.
        found.append(IdNumberWarning(
            "id-number-region-unknown",
            "the county code of the ID number is not in the region table for its birth "
            "year; check the number against the card",
        ))  # fmt: skip
    if age_on(born, today) > PLAUSIBLE_AGE:
        found.append(IdNumberWarning(
            "id-number-age-implausible",
            f"the birth date in the ID number makes the person older than {PLAUSIBLE_AGE}; "
            "check the number against the card",
        ))  # fmt: skip
    if stated_gender is not None and stated_gender is not gender_of(number):
        found.append(IdNumberWarning(
            "id-number-gender-mismatch",
            "the stated gender differs from the one the ID number encodes (its 17th "
            "digit); the ID number's is kept: check both against the card",
        ))  # fmt: skip
    return tuple(found)


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


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
