"""Who may see which experts and relations, and the pledge gate in front of review material (第十三条)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from experts.models import Expert, ExpertRelation
from experts.services.pool import has_signed_pledge


def pledge_required_message() -> str:
    return _("查看申报材料前须先签署保密承诺（第十三条）。")


def require_pledge(user) -> None:  # type: ignore[no-untyped-def]
    """Raise `PermissionDenied` for an expert without this year's pledge; a no-op for every other role.

    Call it in every view (browser or API) that opens application material for an expert. DRF turns
    the Django `PermissionDenied` into a 403 whose `detail` is this message.
    """
    if not getattr(user, "is_authenticated", False) or user.role != Role.EXPERT:
        return
    expert = Expert.objects.filter(user=user).first()
    if expert is None or not has_signed_pledge(expert):
        raise PermissionDenied(pledge_required_message())


def experts_visible_to(user) -> QuerySet[Expert]:  # type: ignore[no-untyped-def]
    """The office manages the whole pool; an expert sees only their own record; nobody else sees any."""
    if not getattr(user, "is_authenticated", False):
        return Expert.objects.none()
    if user.role == Role.MUNICIPAL:
        return Expert.objects.all()
    if user.role == Role.EXPERT:
        return Expert.objects.filter(user=user)
    return Expert.objects.none()


def own_relations(user) -> QuerySet[ExpertRelation]:  # type: ignore[no-untyped-def]
    """The relations an expert declared themselves (and may remove)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.EXPERT:
        return ExpertRelation.objects.none()
    return ExpertRelation.objects.filter(expert__user=user)


def pledge_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Browser views: send an expert without this year's pledge to the pledge page, then back.

    The friendlier twin of `require_pledge` for pages (API views call `require_pledge` for a 403).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            require_pledge(request.user)
        except PermissionDenied:
            messages.warning(request, pledge_required_message())
            return redirect(f"{reverse('experts:pledge')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped
