"""Rate limits for the public endpoints, counted per client address."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


@dataclass(frozen=True)
class _Scope:
    throttle_scope: str


_PERIODS = {
    1: gettext_lazy("每秒"),
    60: gettext_lazy("每分钟"),
    3600: gettext_lazy("每小时"),
    86400: gettext_lazy("每天"),
}


@dataclass(frozen=True)
class Refusal:
    """Why a browser form's submission was not counted in: the limit, its period, the wait."""

    wait_minutes: int
    limit: int
    period: str


def address_refusal(request, throttle_class: type[ClientAddressThrottle], scope: str) -> Refusal | None:  # type: ignore[no-untyped-def]
    """For a browser form: count this request against ``scope`` by client address, as the API view with
    the same throttle class and scope does (one counter for both, even for a signed-in visitor, whom
    DRF would count by id); a :class:`Refusal` once the address is over the limit."""
    throttle = throttle_class()
    throttle.get_cache_key = lambda req, view: (  # type: ignore[method-assign]
        throttle.cache_format % {"scope": scope, "ident": throttle.get_ident(req)}
    )
    if throttle.allow_request(request, _Scope(scope)):  # type: ignore[arg-type]
        return None
    wait = throttle.wait() or 60
    period = _PERIODS.get(throttle.duration) or _("每 %(n)s 秒") % {"n": throttle.duration}
    return Refusal(wait_minutes=max(1, math.ceil(wait / 60)), limit=throttle.num_requests, period=str(period))


def address_allowed(request, throttle_class: type[ClientAddressThrottle], scope: str) -> bool:  # type: ignore[no-untyped-def]
    """:func:`address_refusal` as a yes/no."""
    return address_refusal(request, throttle_class, scope) is None


class RegistrationRateThrottle(ClientAddressThrottle):
    """New enterprise accounts per client address, API and form together; REGISTRATION_RATE overrides."""

    rate = rate_from_env("REGISTRATION_RATE", "20/hour")


REGISTRATION_SCOPE = "registration"
