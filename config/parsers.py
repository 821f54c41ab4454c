"""The API's JSON parser: text that cannot be stored or sent is refused before any view sees it.

DRF's own parser accepts what Python's ``json`` accepts: lone surrogates (``"\\udfff"``), which
fail later when PostgreSQL or an email encodes them; NUL and other control characters; any nesting
depth, which ends in a RecursionError (a 500). This parser answers all of them with a 400 whose
message names the problem without echoing the offending text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20  # the deepest body the API takes is 4 levels; 20 leaves room and stops abuse early

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; UTF-16 surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be taken as text, or None."""
    match = FORBIDDEN.search(value)
    if match is None:
        return None
    if "\ud800" <= match.group() <= "\udfff":
        return _("文本中含有无效的 Unicode 字符（孤立的代理码位）。")
    return _("文本中含有不允许的控制字符（U+%(code)04X）。") % {"code": ord(match.group())}


LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]")


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name (one line of text: an enterprise, a person, a title), or None."""
    if LINE_BREAKS.search(value):
        return _("名称不能包含换行符或制表符。")
    return text_problem(value)


def check(data: Any) -> None:
    """Walk ``data`` without recursion; ParseError on a bad string (key or value) or too deep a body."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise ParseError(problem)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_("请求体嵌套过深（最多 %(max)d 层）。") % {"max": MAX_DEPTH})
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None:
                    stack.append((key, depth))
                stack.append((item, depth + 1))


def loads(raw: bytes, encoding: str = "utf-8") -> Any:
    """Parse a JSON body and :func:`check` it; ParseError with a message that echoes nothing."""
    try:
        data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
    except RecursionError:
        raise ParseError(_("请求体嵌套过深（最多 %(max)d 层）。") % {"max": MAX_DEPTH}) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError; json's message quotes the input
        raise ParseError(_("请求体不是有效的 JSON。")) from None
    check(data)
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return loads(stream.read(), encoding)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python's json accepts them, JSON does not
