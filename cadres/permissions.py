"""What each person may see of the cadre help ledger: one queryset per object, used by every page and API view.

- the municipal office and the municipal organisation department: every listed enterprise;
- a district organisation department (its user has a district) and a district official: their district's;
- a cadre: only the enterprises they are paired with today (others', and those of a pairing that has ended
  or not yet begun, are 404: the enterprise's later data and its next cadre's records are not theirs to
  read; what they recorded stays in the enterprise's ledger for the office and the districts);
- an enterprise user: their own enterprise, if it is on a list.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Assessment, HelpListEntry, Ledger

OFFICE_ROLES = (Role.MUNICIPAL, Role.ORGANISATION)
LEDGER_ROLES = (Role.MUNICIPAL, Role.ORGANISATION, Role.DISTRICT, Role.CADRE, Role.ENTERPRISE)


def entries_visible_to(user: User) -> QuerySet[HelpListEntry]:
    qs = HelpListEntry.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.MUNICIPAL:
        return qs
    if user.role == Role.ORGANISATION:
        return qs.filter(enterprise__district_id=user.district_id) if user.district_id else qs
    if user.role == Role.DISTRICT:
        return qs.filter(enterprise__district_id=user.district_id)
    if user.role == Role.CADRE:
        today = timezone.localdate()
        return qs.filter(
            assignments__cadre=user, assignments__starts_on__lte=today, assignments__ends_on__gt=today
        ).distinct()
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def ledgers_visible_to(user: User) -> QuerySet[Ledger]:
    return Ledger.objects.filter(entry__in=entries_visible_to(user))


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Assessments are read by the office and the organisation departments only (考核意见 五): a district's
    organisation department sees those of cadres helping its district's enterprises."""
    if not user.is_authenticated or user.role not in OFFICE_ROLES:
        return Assessment.objects.none()
    return Assessment.objects.filter(entry__in=entries_visible_to(user))
