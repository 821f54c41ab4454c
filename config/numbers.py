"""One rule for numbers typed by people: what a form or a JSON string may hold as a decimal.

Full-width forms (２４．５, the default of many Chinese input methods) are normalised to ASCII; any
other script's digits (٢٤, ２４ in another block), exponents, NaN and Infinity are refused. The
result is the plain ASCII text of the number, for ``Decimal``.
"""

from __future__ import annotations

import re
import unicodedata

_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


def plain_number(text: str) -> str | None:
    """``text`` as an ASCII decimal (full-width folded, spaces trimmed), or None if it is not one."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return folded if _PLAIN.fullmatch(folded) else None
