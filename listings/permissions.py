"""What each person may see of the ledger: the office everything, a district official their district's
entries (another district's entry is a 404), nobody else anything."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from listings.models import Activity, ListingEntry, StageEvent


def entries_visible_to(user: User) -> QuerySet[ListingEntry]:
    qs = ListingEntry.objects.all()
    if user.role == Role.MUNICIPAL:
        return qs
    if user.role == Role.DISTRICT and user.district_id:
        return qs.filter(enterprise__district_id=user.district_id)
    return qs.none()


def events_visible_to(user: User) -> QuerySet[StageEvent]:
    return StageEvent.objects.filter(entry__in=entries_visible_to(user))


def activities_visible_to(user: User) -> QuerySet[Activity]:
    """The office sees every activity; a district the city's and its own (another district's is a 404)."""
    qs = Activity.objects.all()
    if user.role == Role.MUNICIPAL:
        return qs
    if user.role == Role.DISTRICT and user.district_id:
        return qs.filter(Q(district__isnull=True) | Q(district_id=user.district_id))
    return qs.none()


def may_record(user: User, entry: ListingEntry) -> bool:
    if user.role == Role.MUNICIPAL:
        return True
    return user.role == Role.DISTRICT and user.district_id == entry.enterprise.district_id
