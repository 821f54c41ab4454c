"""Secrets and personal numbers never reach a log: every record is masked when it is made.

Masked (replaced by ``***``):

- the value of anything named like a secret, in ``key=value``, ``key: value``, ``"key": "value"`` or
  ``'key': 'value'`` form (query strings, form bodies, JSON, dict reprs, headers): passwords
  (``password``, ``password1``, ``new_password`` …), ``token``, ``otp``, ``code`` (TOTP and recovery
  codes), ``csrfmiddlewaretoken``, ``sessionid`` / ``session_key``, ``secret``, ``api_key``;
- the credentials of an ``Authorization`` header (``Token …``, ``Bearer …``, ``Basic …``);
- a 40-character hexadecimal string on its own (a DRF API token key);
- 18-character resident identity numbers (6 digits, a birth date, 3 digits, a digit or X);
- mobile numbers (11 digits starting 13–19) and landline numbers (``022-66668888``).

Two hooks, one function:

- ``RedactingFilter`` is a ``logging.Filter`` on the console handler in ``settings.LOGGING``;
- ``install()`` (called from settings, after LOGGING) wraps the log record factory, so records
  are masked before any handler sees them: pytest's caplog, Celery's worker logging (which
  replaces the root logger's handlers), anything added later.

The message is formatted once (``msg % args``) and masked; ``args`` become empty. A traceback is
formatted and masked into ``exc_text``, which formatters print; ``exc_info`` is dropped, since the
exception object carries the unmasked message (and its frames the locals).
"""

from __future__ import annotations

import logging
import re

MASK = "***"

_SECRET_KEY = (
    r"[\w-]*(?:password|passwd|secret|token|api[_-]?key|otp|sessionid|session_key|csrfmiddlewaretoken)[\w-]*"
    r"|code|recovery_code"
)
# key = value / key: value, the key optionally quoted; the value quoted (anything up to the same
# quote) or bare (up to a separator).
_KEY_VALUE = re.compile(
    rf"""(?ix)
    (?P<key>["']?\b(?:{_SECRET_KEY})\b["']?\s*[:=]\s*)
    (?:
        (?P<q>["'])(?P<quoted>.*?)(?P=q)
      | (?P<bare>(?:Token\s+|Bearer\s+|Basic\s+)?[^\s&,;'"}})\]]+)
    )
    """
)
_AUTHORIZATION = re.compile(
    r"""(?i)(authorization["']?\s*[:=]\s*["']?)(?:(token|bearer|basic)\s+)?[^\s"',;}]+"""
)
_API_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{40}(?![0-9A-Za-z])")
_IDENTITY = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<![0-9A-Za-z-])0\d{2,3}-\d{7,8}(?![0-9A-Za-z])")


def _key_value(match: re.Match[str]) -> str:
    if match.group("q"):
        return f"{match.group('key')}{match.group('q')}{MASK}{match.group('q')}"
    return f"{match.group('key')}{MASK}"


def _authorization(match: re.Match[str]) -> str:
    scheme = match.group(2)
    return f"{match.group(1)}{scheme + ' ' if scheme else ''}{MASK}"


def redact(text: str) -> str:
    """The text with every secret and personal number masked."""
    if not text:
        return text
    text = _AUTHORIZATION.sub(_authorization, text)
    text = _KEY_VALUE.sub(_key_value, text)
    text = _API_TOKEN.sub(MASK, text)
    text = _IDENTITY.sub(MASK, text)
    text = _MOBILE.sub(MASK, text)
    return _LANDLINE.sub(MASK, text)


_MARK = "_redacted"


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, _MARK, False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed call (wrong number of args): keep what logging would show
        message = f"{record.msg!s} {record.args!r}"
    record.msg = redact(message)
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    # The exception object itself carries the unmasked message (and its frames the locals): no
    # handler gets it. Formatters print exc_text instead.
    record.exc_info = None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    setattr(record, _MARK, True)
    return record


class RedactingFilter(logging.Filter):
    """Masks, never drops: every record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Wrap the log record factory once, so every record of every logger is masked when made."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:  # type: ignore[no-untyped-def]
        return redact_record(current(*args, **kwargs))

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
