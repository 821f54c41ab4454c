"""Reads of the ledger that join: the list pages (filters and search) and the progress against targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from districts.models import District
from listings.models import ListingEntry, Stage, StageEvent, Target
from listings.permissions import entries_visible_to

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
