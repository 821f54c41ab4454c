"""``{{ value|yuan }}``: an amount with thousands separators and two decimals (core.amounts)."""

from __future__ import annotations

from django import template

from core.amounts import format_amount

register = template.Library()


@register.filter
def yuan(value):  # type: ignore[no-untyped-def]
    return format_amount(value)
