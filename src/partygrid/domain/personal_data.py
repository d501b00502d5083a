"""Personal data in free text: what may be revealed, and scrubbing what must not be kept.

Structured fields are masked by their own rules (``mask_id_number``, ``mask_phone``). Free
text (log lines, exception messages, a reason typed by a person) can carry a number
anywhere, in any spelling: the patterns below find the shapes of resident ID numbers and
mainland mobile numbers and mask them the way the API does.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class PersonalField(StrEnum):
    """A member's fields that the reveal endpoint may show in clear."""

    id_number = "id_number"
    phone = "phone"
    address = "address"


# \d is Unicode-aware: full-width digits (０-９) match too. Separators are what people type
# between the groups of a number (space, ideographic space, hyphen).
_SEP = "[ \u3000-]?"
_ID_NUMBER = re.compile(
    rf"(?<!\d)\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXxＸｘ](?![\dXxＸｘ])"  # GB 11643, 18 chars
)
_MOBILE = re.compile(
    rf"(?<![\d+])(?:(?:\+|＋|00|００)?(?:86|８６){_SEP})?"  # optional +86 / 0086 / 86
    rf"[1１][3-9３-９]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"
)


_ANY_DIGIT = re.compile(r"\d")  # the same digits as the patterns' \d, full-width included


def _digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).upper()


def _mask_id(match: re.Match[str]) -> str:
    number = _digits(match.group())
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def _mask_mobile(match: re.Match[str]) -> str:
    number = _digits(match.group())[-11:]
    return f"{number[:3]}****{number[-4:]}"


def redact_personal_data(text: str) -> str:
    """``text`` with anything shaped like a resident ID number or a mainland mobile number
    masked (110105********002X, 138****5678); everything else unchanged."""
    if _ANY_DIGIT.search(text) is None:
        return text  # the common case, cheaply: both patterns need a digit
    return _MOBILE.sub(_mask_mobile, _ID_NUMBER.sub(_mask_id, text))
