"""core.amounts: the one reading of a typed amount and the one way an amount is shown (#19)."""

from decimal import Decimal

import pytest

from core.amounts import amount_input, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("18000000", Decimal("18000000")),
        ("18,000,000", Decimal("18000000")),
        ("18,000,000.50", Decimal("18000000.50")),
        ("1800万", Decimal("18000000")),
        ("1800 万元", Decimal("18000000")),
        ("１８００００００", Decimal("18000000")),  # full-width digits
        ("１８，０００，０００．５", Decimal("18000000.5")),  # full-width comma and point
        ("1,800.5万", Decimal("18005000")),
        ("0.5亿", Decimal("50000000")),
        ("￥1,234.56元", Decimal("1234.56")),
        (" 26000000.00 ", Decimal("26000000.00")),
        ("-100", Decimal("-100")),  # the caller says negative amounts are refused
        ("12.345", Decimal("12.345")),  # the caller says at most 2 decimals
    ],
)
def test_what_people_type(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    "text", ["", "abc", "1,5", "1,0000", "1e5", "NaN", "12万万", "1.2.3", "9" * 41, "万"]
)
def test_what_is_no_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_amount_input_gives_the_strict_parsers_plain_decimals_and_passes_the_rest_through():
    assert amount_input("1,800.5万") == "18005000"
    assert amount_input("１８００００００") == "18000000"
    assert amount_input("abc") == "abc"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("26000000.00"), "26,000,000.00"),
        (Decimal("12345678.5"), "12,345,678.50"),
        (Decimal("0"), "0.00"),
        ("18000000", "18,000,000.00"),
        (None, ""),
        ("abc", "abc"),
    ],
)
def test_format_amount(value, text):
    assert format_amount(value) == text
