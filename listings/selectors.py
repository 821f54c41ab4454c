"""Reads of the ledger that join: the list pages (filters and search) and the progress against targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from districts.models import District
from listings.models import (
    YEARLY_ACTIVITY_TARGETS,
    Activity,
    ActivityKind,
    Attendance,
    ListingEntry,
    Stage,
    StageEvent,
    Target,
)
from listings.permissions import activities_visible_to, entries_visible_to

PROGRESS_STAGES = (Stage.REFORMED, Stage.LISTED, Stage.MERGED_DOMESTIC, Stage.MERGED_FOREIGN)


def entries_for(
    user: User, *, list_kind: str = "", stage: str = "", district: str = "", q: str = ""
) -> QuerySet:
    qs = entries_visible_to(user).select_related("enterprise__district")
    if list_kind:
        qs = qs.filter(list_kind=list_kind)
    if stage:
        qs = qs.filter(stage=stage)
    if district:
        qs = qs.filter(enterprise__district__code=district)
    q = q.strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__iexact=q))
    return qs


def events_of(entry: ListingEntry) -> QuerySet[StageEvent]:
    return entry.events.select_related("recorded_by")


@dataclass(frozen=True)
class Progress:
    """One row of the progress table: a district (or the city), its target and what it reached."""

    district: District | None
    target: Target | None
    done: dict[str, int]

    def cells(self) -> list[tuple[str, int, int | None]]:
        """(stage, done, target) for each counted stage."""
        return [
            (stage, self.done.get(stage, 0), getattr(self.target, stage) if self.target else None)
            for stage in PROGRESS_STAGES
        ]


def progress(year: int, *, districts: QuerySet[District] | None = None) -> list[Progress]:
    """Stage events of the year by district against the district's target, then the city's row.

    Three queries whatever the number of districts: the districts, the counts, the targets."""
    districts = list(District.objects.order_by("code") if districts is None else districts)
    counts: dict[int | None, dict[str, int]] = {}
    rows = (
        StageEvent.objects.filter(happened_on__year=year, to_stage__in=PROGRESS_STAGES)
        .values("entry__enterprise__district_id", "to_stage")
        .annotate(n=Count("id"))
    )
    city: dict[str, int] = {}
    for r in rows:
        counts.setdefault(r["entry__enterprise__district_id"], {})[r["to_stage"]] = r["n"]
        city[r["to_stage"]] = city.get(r["to_stage"], 0) + r["n"]
    targets = {t.district_id: t for t in Target.objects.filter(year=year)}
    result = [Progress(d, targets.get(d.id), counts.get(d.id, {})) for d in districts]
    result.append(Progress(None, targets.get(None), city))
    return result


def activities_for(user: User, *, year: int, kind: str = "") -> QuerySet[Activity]:
    """The activities of a year the user may see, with their organising district and attendance count."""
    qs = (
        activities_visible_to(user)
        .filter(held_on__year=year)
        .select_related("district")
        .annotate(parties=Count("attendances"))
        .order_by("-held_on", "-id")  # a GROUP BY query drops Meta.ordering
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@dataclass(frozen=True)
class ActivityCount:
    """The city's activities of a kind in a year against the 实施方案's yearly number, and the districts'."""

    kind: str
    label: str
    city: int
    target: int
    districts: int


def activity_counts(user: User, *, year: int) -> list[ActivityCount]:
    """One query: the year's activities the user may see, counted by kind and organiser (city/district)."""
    rows = (
        activities_visible_to(user)
        .filter(held_on__year=year)
        .values("kind")
        .annotate(
            city=Count("id", filter=Q(district__isnull=True)),
            districts=Count("id", filter=Q(district__isnull=False)),
        )
    )
    by_kind = {r["kind"]: r for r in rows}
    return [
        ActivityCount(
            kind=kind.value,
            label=str(kind.label),
            city=by_kind.get(kind.value, {}).get("city", 0),
            target=YEARLY_ACTIVITY_TARGETS[kind],
            districts=by_kind.get(kind.value, {}).get("districts", 0),
        )
        for kind in ActivityKind
    ]


def activity_detail(user: User, pk: int) -> Activity:
    """An activity with its attending enterprises (and their districts) and institutions: three queries."""
    attendances = Attendance.objects.select_related("enterprise__district", "institution").order_by(
        "institution_id", "enterprise__name", "id"
    )
    return (
        activities_visible_to(user)
        .select_related("district", "recorded_by")
        .prefetch_related(Prefetch("attendances", queryset=attendances))
        .get(pk=pk)
    )


def activities_attended(user: User, enterprise_id: int) -> QuerySet[Activity]:
    """The activities an enterprise attended that the user may see (its entry page)."""
    return (
        activities_visible_to(user)
        .filter(attendances__enterprise_id=enterprise_id)
        .select_related("district")
    )
