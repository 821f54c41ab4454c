"""Who may see which experts and relations, and the pledge gate in front of review material (第十三条)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role
from experts.models import Expert, ExpertRelation, Pledge, Review, ReviewStatus
from experts.services.pool import current_year


def pledge_required_message() -> str:
    return _("查看申报材料前须先签署保密承诺（第十三条）。")


def require_pledge(user) -> None:  # type: ignore[no-untyped-def]
    """Raise `PermissionDenied` for an expert without this year's pledge; a no-op for every other role.

    Call it in every view (browser or API) that opens application material for an expert. DRF turns
    the Django `PermissionDenied` into a 403 whose `detail` is this message.
    """
    if not getattr(user, "is_authenticated", False) or user.role != Role.EXPERT:
        return
    # One query: an expert account without a pool record has no pledge either.
    if not Pledge.objects.filter(expert__user=user, year=current_year()).exists():
        raise PermissionDenied(pledge_required_message())


def applications_read_by_expert(user, applications: QuerySet) -> QuerySet:  # type: ignore[no-untyped-def]
    """certification's reader rule for experts (registered in ExpertsConfig.ready()): only the
    applications the expert is assigned to and has not declined, and none before this year's pledge
    (a 403 that says why). One query for the pledge, one EXISTS in the applications' query."""
    require_pledge(user)
    assigned = Review.objects.filter(application=OuterRef("pk"), expert__user=user).exclude(
        status=ReviewStatus.DECLINED
    )
    return applications.filter(Exists(assigned))


def panel_users(application) -> list:  # type: ignore[no-untyped-def]
    """The active users of the experts on an application's panel (declined ones left out): the
    workflow's "experts" audience (registered in ExpertsConfig.ready())."""
    from accounts.models import User

    on_panel = Review.objects.filter(application_id=application.pk).exclude(status=ReviewStatus.DECLINED)
    return list(User.objects.filter(is_active=True, expert__reviews__in=on_panel).distinct().order_by("pk"))


def material_open_to(user) -> bool:  # type: ignore[no-untyped-def]
    """False for an expert without this year's pledge: lists then show an assignment without naming
    the enterprise (第十三条); True for every other role (their own visibility rules apply)."""
    try:
        require_pledge(user)
    except PermissionDenied:
        return False
    return True


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
