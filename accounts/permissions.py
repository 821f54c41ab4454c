"""Who may open which part of the portal: one decorator and one DRF permission per role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from accounts.models import Role


def role_required(*roles: Role) -> Callable:
    """Anonymous visitors go to the login page; a signed-in user of another role gets 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    roles: tuple[Role, ...] = ()

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user and request.user.is_authenticated and request.user.role in self.roles)

    @classmethod
    def of(cls, *roles: Role) -> type[HasRole]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})


HOME_URL_NAMES = {
    Role.ENTERPRISE: "certification:home",
    Role.DISTRICT: "districts:home",
    Role.EXPERT: "experts:home",
    Role.MUNICIPAL: "audits:home",
    Role.CADRE: "cadres:home",
    Role.ORGANISATION: "cadres:home",
}
