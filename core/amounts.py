"""Amounts of money in yuan as people type them, and as pages show them.

:func:`parse_amount` is the one reading of a typed amount: every amount input of the browser forms (the
application's steps and their autosave, the self-check and the self-assessment) goes through it.
The JSON API stays strict (a number or a plain decimal string, docs/api.md).

:func:`format_amount` is the one way pages and PDFs show an amount: thousands separators, two decimals.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = ["amount_input", "format_amount", "parse_amount"]

_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
# "18000000", "18,000,000", "1,800.5" — separators only in groups of three, so "1,5" is no amount.
_NUMBER_RE = re.compile(r"^(?P<sign>-?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_MAX_LENGTH = 40
_CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """``text`` as yuan, or ``ValueError``.

    Accepted: plain and grouped numbers ("18000000", "18,000,000.50"), full-width digits and commas
    ("１８，０００，０００"), a 万 or 亿 unit ("1800万", "1,800.5万", "0.5亿"), a leading ¥/￥ and a
    trailing 元, spaces anywhere. The result is not rounded: 2 decimals at most is the caller's rule.
    """
    if not isinstance(text, str):
        raise ValueError("not text")
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text))  # full-width digits, ，．￥ → ASCII
    if not s or len(s) > _MAX_LENGTH:
        raise ValueError("empty or too long")
    s = s.removeprefix("¥").removesuffix("元")
    unit = Decimal(1)
    if s and s[-1] in _UNITS:
        unit = _UNITS[s[-1]]
        s = s[:-1]
    m = _NUMBER_RE.match(s)
    if m is None:
        raise ValueError("not an amount")
    digits = m["int"].replace(",", "") + (f".{m['frac']}" if m["frac"] else "")
    try:
        value = Decimal(digits) * unit
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise ValueError("not an amount") from exc
    if m["sign"]:
        value = -value
    value = value.normalize() if unit != 1 else value
    if value == value.to_integral_value() and value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))  # 1.8E+7 → 18000000
    return value + Decimal(0)  # no "-0"


def amount_input(raw: str) -> str:
    """A form cell's text as the plain decimal the strict parsers take; text that is no amount is passed
    through unchanged, so the parser that reads it names the problem on that cell."""
    try:
        return format(parse_amount(raw), "f")
    except ValueError:
        return raw


def format_amount(amount: Decimal | int | str | None) -> str:
    """Yuan with thousands separators and always two decimals: Decimal("12345678.5") → "12,345,678.50".

    ``None`` → ""; text that is no amount is returned as it is.
    """
    if amount is None or amount == "":
        return ""
    if not isinstance(amount, Decimal):
        try:
            amount = parse_amount(str(amount))
        except ValueError:
            return str(amount)
    return f"{amount.quantize(_CENT):,}"
