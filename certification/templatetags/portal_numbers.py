"""Numbers as the portal prints them: amounts in yuan with thousands separators and two decimals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value: object) -> str:
    """``12345678.5`` → ``12,345,678.50`` (the same in both languages: the zh-hans locale has no
    thousands separator, and eight-digit amounts are unreadable without one); ``None`` → ``—``."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)
