"""Rate limits for the public endpoints, counted per client address."""

from __future__ import annotations

import os

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle


def client_address(request) -> str:  # type: ignore[no-untyped-def]
    """The client's address: one rule for the rate limits and the sign-in lockout (django-axes).

    Directly exposed, only the socket address counts: X-Forwarded-For is the client's own word.
    Behind the portal's TLS proxies (BEHIND_TLS_PROXY, PROXY_COUNT of them, each appending the address
    it received the request from) the client is the PROXY_COUNT-th address from the right; whatever
    a client puts to the left of it is ignored, so rotating a forged header changes nothing.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        count = getattr(settings, "PROXY_COUNT", 1)
        if len(forwarded) >= count and forwarded[-count]:
            return forwarded[-count]
    return remote


class ClientAddressThrottle(ScopedRateThrottle):
    """A scoped limit whose rate lives on the class (overridable by an environment variable).

    DRF's default identity trusts the whole X-Forwarded-For header, which a client can rotate to
    dodge the limit; this one counts :func:`client_address`.
    """

    rate: str | None = None

    def get_rate(self) -> str | None:
        return type(self).rate

    def get_ident(self, request: Request) -> str:
        return client_address(request)


def rate_from_env(name: str, default: str) -> str | None:
    """Read once at start-up; an empty value switches the limit off (benchmarks only)."""
    rate = os.environ.get(name, default).strip() or None
    if rate is not None:
        ClientAddressThrottle().parse_rate(rate)  # fail at import on a malformed rate
    return rate


class _Scope:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def address_allowed(request, throttle_class: type[ClientAddressThrottle], scope: str) -> bool:  # type: ignore[no-untyped-def]
    """For a browser form: count this request against ``scope`` by client address (as the API view
    with the same throttle class and scope does); False once the address is over the limit."""
    throttle = throttle_class()
    throttle.get_cache_key = lambda req, view: (
        throttle.cache_format
        % {  # type: ignore[method-assign]
            "scope": scope,
            "ident": throttle.get_ident(req),
        }
    )
    return throttle.allow_request(request, _Scope(scope))  # type: ignore[arg-type]


class RegistrationRateThrottle(ClientAddressThrottle):
    """New enterprise accounts per client address, API and form together; REGISTRATION_RATE overrides."""

    rate = rate_from_env("REGISTRATION_RATE", "20/hour")


REGISTRATION_SCOPE = "registration"
