"""Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters with a check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen (which must already be in the alphabet)."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when the code is valid, otherwise the reason in the user's language (Chinese by default)."""
    from django.utils.translation import gettext as _  # lazy: the check itself needs no Django

    if len(code) != 18:
        return _("统一社会信用代码应为 18 位，当前为 %(n)s 位。") % {"n": len(code)}
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z 及小写字母）。") % {
            "chars": "、".join(bad)
        }
    if code[17] != check_character(code[:17]):
        # The expected character is not named: a mistyped code is usually wrong elsewhere, and naming
        # it would invite changing the last character until the check passes on a wrong code.
        return _(
            "统一社会信用代码校验位错误：代码中有字符输入有误（不一定是最后一位），"
            "请对照营业执照逐位核对全部 18 位后重新输入。"
        )
    return None


def normalize_uscc(code: str) -> str:
    return code.strip().upper()


def make_uscc(first17: str) -> str:
    """Complete a 17-character body with its check character (demo data and tests)."""
    return first17 + check_character(first17)


def could_be_part_of_code(text: str) -> bool:
    """Whether `text` (any case) could occur inside a credit code or a certificate number: only the
    code's alphabet. A Chinese name never does, so a search for one need not read the codes."""
    return bool(text) and all(ch in _VALUE for ch in text.upper())
