"""The one place the API turns domain errors into HTTP answers (docs/layout.md: views never catch them).

Bodies are the ones docs/api.md documents: InvalidInput → 400 with its field → messages dict,
ApplicationStateError → 409 ``{"detail", "status"}``, DomainPermissionDenied → 403 ``{"detail"}``.
A database DataError (a value longer or larger than its column, which the checks before it should
have caught) is a 400 too, never a 500; the services write inside transactions, so nothing of the
request is kept. Everything else goes to DRF's own handler.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput

logger = logging.getLogger(__name__)


def domain_error_response(exc: Exception) -> Response | None:
    """The answer for a domain error, or None for any other exception."""
    if isinstance(exc, InvalidInput):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ApplicationStateError):
        return Response({"detail": exc.message, "status": exc.status}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainPermissionDenied):
        # Before DRF's handler, which would replace the message by its generic one.
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DataError):
        logger.warning("DataError answered as 400: %s", exc)
        return Response(
            {"detail": _("输入的内容超出允许的长度或范围，未保存任何内容。")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = domain_error_response(exc)
    if response is None:
        return drf_exception_handler(exc, context)
    set_rollback()
    return response
