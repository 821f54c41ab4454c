"""Rate limits for the public endpoints, counted per client address."""

from __future__ import annotations

import os

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle


class ClientAddressThrottle(ScopedRateThrottle):
    """A scoped limit whose rate lives on the class (overridable by an environment variable).

    DRF's default identity trusts the whole X-Forwarded-For header, which a client can rotate to
    dodge the limit. Directly exposed, only the socket address counts; behind the portal's own TLS
    proxy (BEHIND_TLS_PROXY sets SECURE_PROXY_SSL_HEADER) the address that proxy appended last.
    """

    rate: str | None = None

    def get_rate(self) -> str | None:
        return type(self).rate

    def get_ident(self, request: Request) -> str:
        remote = str(request.META.get("REMOTE_ADDR") or "")
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
            if forwarded[-1]:
                return forwarded[-1]
        return remote


def rate_from_env(name: str, default: str) -> str | None:
    """Read once at start-up; an empty value switches the limit off (benchmarks only)."""
    rate = os.environ.get(name, default).strip() or None
    if rate is not None:
        ClientAddressThrottle().parse_rate(rate)  # fail at import on a malformed rate
    return rate
