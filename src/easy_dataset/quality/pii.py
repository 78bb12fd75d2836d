"""Personal data in text: e-mail addresses, phone numbers, ID and card numbers and street
addresses, in Western and Chinese formats; found with their spans, then masked or flagged.

Patterns alone over-match (any 16 digits look like a card), so numbers are confirmed by
their checksums where they have one (Luhn for cards, ISO 7064 for Chinese resident IDs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["email", "phone", "cn_id", "card", "ssn", "address"]
KINDS: tuple[Kind, ...] = ("email", "phone", "cn_id", "card", "ssn", "address")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: what kind, where (character offsets) and the text."""

    kind: Kind
    start: int
    end: int
    text: str


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Chinese mainland mobiles (1[3-9] + 9 digits, optional +86), and international or
# North-American numbers written with separators; bare digit runs are left to the others.
_CN_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}"
    # Not the start of a longer group of numbers (a card or an account number).
    r"(?![ .-]?\d)"
)
_CN_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_SSN = re.compile(r"(?<!\d)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)")
_STREET = (
    r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?"
    r"|Court|Ct\.?|Way|Place|Pl\.?|Square|Sq\.?|Terrace|Straße|Strasse|Rue|Via|Calle)"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\.?\s+){{1,4}}{_STREET}(?![\w])"
    # Chinese: province/city/district … road/street … number.
    r"|[\u4e00-\u9fff]{2,12}(?:省|市|区|县|镇)[\u4e00-\u9fff\d]{0,20}(?:路|街|道|巷|弄)"
    r"[\d一二三四五六七八九十百]+(?:号|號)(?:[\d]+(?:室|楼|层|單元|单元))?"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum (payment cards)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def cn_id_valid(number: str) -> bool:
    """Whether an 18-character Chinese resident ID has a plausible birth date and the right
    check character (GB 11643, ISO 7064 MOD 11-2)."""
    body, check = number[:17], number[17].upper()
    if not body.isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == check


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _card(text: str) -> bool:
    digits = _digits(text)
    # All one digit (0000 0000 …) passes Luhn but is a placeholder, not a card.
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits)


def _phone(text: str) -> bool:
    digits = _digits(text)
    return 7 <= len(digits) <= 15 and len(set(digits)) > 2


_RULES: tuple[tuple[Kind, re.Pattern[str], Callable[[str], bool] | None], ...] = (
    ("email", _EMAIL, None),
    ("cn_id", _CN_ID, cn_id_valid),
    ("card", _CARD, _card),
    ("ssn", _SSN, None),
    ("phone", _CN_MOBILE, None),
    ("phone", _PHONE, _phone),
    ("address", _ADDRESS, None),
)


def find_pii(text: str, kinds: Iterable[Kind] = KINDS) -> list[Finding]:
    """Personal data in `text`, in reading order; overlapping matches keep the earliest rule
    (an ID number is not also reported as a phone number)."""
    wanted = set(kinds)
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, confirm in _RULES:
        if kind not in wanted:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if confirm is not None and not confirm(match.group()):
                continue
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            found.append(Finding(kind, start, end, match.group()))
    return sorted(found, key=lambda finding: finding.start)


def mask_pii(text: str, kinds: Iterable[Kind] = KINDS) -> tuple[str, list[Finding]]:
    """`text` with each piece of personal data replaced by `[KIND]`, and what was replaced."""
    findings = find_pii(text, kinds)
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts += [text[position : finding.start], f"[{finding.kind.upper()}]"]
        position = finding.end
    parts.append(text[position:])
    return "".join(parts), findings
