"""Reads of the ledger that join: the list pages (filters and search) and the progress against targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import Role, User
from districts.models import District
from listings.models import (
    YEARLY_ACTIVITY_TARGETS,
    Activity,
    ActivityKind,
    Attendance,
    ListingEntry,
    PeriodTarget,
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


def rate(done: int, target: int | None) -> float | None:
    """Completion in per cent, one decimal; None without a target (or a target of 0)."""
    return round(done * 100 / target, 1) if target else None


def period_covering(year: int) -> PeriodTarget | None:
    """The city's multi-year target whose years include ``year`` (总体目标), if the office has one."""
    return (
        PeriodTarget.objects.filter(start_year__lte=year, end_year__gte=year).order_by("start_year").first()
    )


@dataclass(frozen=True)
class PeriodProgress:
    """The city's events from the period's first year through ``year`` against the period's target."""

    period: PeriodTarget
    year: int
    done: dict[str, int]

    def cells(self) -> list[tuple[str, str, int, int, float | None]]:
        """(stage, its label, done, target, rate) for each counted stage."""
        return [
            (
                stage,
                str(Stage(stage).label),
                self.done.get(stage, 0),
                getattr(self.period, stage),
                rate(self.done.get(stage, 0), getattr(self.period, stage)),
            )
            for stage in PROGRESS_STAGES
        ]


def period_progress(year: int) -> PeriodProgress | None:
    """Cumulative city progress against the period target covering ``year``: two queries (or one, none)."""
    period = period_covering(year)
    if period is None:
        return None
    rows = (
        StageEvent.objects.filter(
            happened_on__range=(dt.date(period.start_year, 1, 1), dt.date(year, 12, 31)),
            to_stage__in=PROGRESS_STAGES,
        )
        .values("to_stage")
        .annotate(n=Count("id"))
    )
    return PeriodProgress(period, year, {r["to_stage"]: r["n"] for r in rows})


# 半年考核 (四、加强监督考核（二）"每半年…对各区县…计划完成数量…进行阶段性考核评估").
HALVES = (1, 2)


def half_dates(year: int, half: int) -> tuple[dt.date, dt.date]:
    return (
        (dt.date(year, 1, 1), dt.date(year, 6, 30))
        if half == 1
        else (dt.date(year, 7, 1), dt.date(year, 12, 31))
    )


@dataclass(frozen=True)
class AssessmentCell:
    stage: str
    half: int  # events in the half
    cumulative: int  # events from 1 January through the half's last day
    target: int | None  # the year's target

    @property
    def rate(self) -> float | None:
        return rate(self.cumulative, self.target)

    @property
    def label(self) -> str:
        return str(Stage(self.stage).label)


@dataclass(frozen=True)
class AssessmentRow:
    district: District | None  # None: the city total
    cells: list[AssessmentCell]

    @property
    def overall(self) -> float | None:
        """Completion over the stages with a target: what is done of them (each capped at its target)."""
        targets = [(c.cumulative, c.target) for c in self.cells if c.target]
        total = sum(t for _, t in targets)
        return rate(sum(min(d, t) for d, t in targets), total) if total else None


@dataclass(frozen=True)
class Assessment:
    year: int
    half: int
    start: dt.date
    end: dt.date
    rows: list[AssessmentRow]  # the districts, then the city total (office only)
    period: PeriodTarget | None = None
    period_done: dict[str, int] = field(default_factory=dict)

    def period_cells(self) -> list[tuple[str, str, int, int, float | None]]:
        if self.period is None:
            return []
        return PeriodProgress(self.period, self.year, self.period_done).cells()


def _row(
    district: District | None, counts: dict[str, dict[str, int]], target: Target | None
) -> AssessmentRow:
    return AssessmentRow(
        district,
        [
            AssessmentCell(
                stage,
                counts.get(stage, {}).get("half", 0),
                counts.get(stage, {}).get("ytd", 0),
                getattr(target, stage) if target else None,
            )
            for stage in PROGRESS_STAGES
        ],
    )


def assessment(
    year: int, half: int, *, districts: QuerySet[District] | None = None, city: bool = True
) -> Assessment:
    """Each district's events in the half and from 1 January through its end against the year's target,
    then (``city=True``) the city total with its cumulative progress against the period target.

    Four queries whatever the number of districts: the districts, the period target, the counts (one
    aggregated query: conditional counts by district and stage), the targets."""
    start, end = half_dates(year, half)
    districts_list = list(District.objects.order_by("code") if districts is None else districts)
    period = period_covering(year) if city else None
    year_start = dt.date(year, 1, 1)
    lower = dt.date(period.start_year, 1, 1) if period else year_start
    events = StageEvent.objects.filter(happened_on__range=(lower, end), to_stage__in=PROGRESS_STAGES)
    if not city:
        events = events.filter(entry__enterprise__district__in=[d.pk for d in districts_list])
    rows = events.values("entry__enterprise__district_id", "to_stage").annotate(
        half=Count("id", filter=Q(happened_on__gte=start)),
        ytd=Count("id", filter=Q(happened_on__gte=year_start)),
        period=Count("id"),
    )
    counts: dict[int | None, dict[str, dict[str, int]]] = {}
    totals: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["entry__enterprise__district_id"], {})[r["to_stage"]] = r
        total = totals.setdefault(r["to_stage"], {"half": 0, "ytd": 0, "period": 0})
        for key in ("half", "ytd", "period"):
            total[key] += r[key]
    targets = {t.district_id: t for t in Target.objects.filter(year=year)}
    result = [_row(d, counts.get(d.pk, {}), targets.get(d.pk)) for d in districts_list]
    if city:
        result.append(_row(None, totals, targets.get(None)))
    return Assessment(
        year,
        half,
        start,
        end,
        result,
        period,
        {stage: t["period"] for stage, t in totals.items()},
    )


def assessment_for(user: User, year: int, half: int) -> Assessment:
    """What a user may see of the assessment: the office every district and the city, a district
    official their own district's row only (the page, its PDF and .xlsx and the API alike)."""
    if user.role == Role.MUNICIPAL:
        return assessment(year, half)
    own = (
        District.objects.filter(pk=user.district_id)
        if user.role == Role.DISTRICT
        else District.objects.none()
    )
    return assessment(year, half, districts=own, city=False)


@dataclass(frozen=True)
class OfficeSummary:
    """The office dashboard's "四单一库" section: the city against the year's and the period's targets and
    the districts furthest behind their year's targets."""

    year: int
    city: AssessmentRow
    period: PeriodTarget | None
    period_done: dict[str, int]
    behind: list[AssessmentRow]

    def period_cells(self) -> list[tuple[str, str, int, int, float | None]]:
        if self.period is None:
            return []
        return PeriodProgress(self.period, self.year, self.period_done).cells()


BEHIND_SHOWN = 3


def office_summary(year: int) -> OfficeSummary:
    """Three queries: the period target, the counts of the year and the period (one aggregated query),
    the year's targets with their districts. Only districts with a target can be behind it."""
    period = period_covering(year)
    year_start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    lower = dt.date(period.start_year, 1, 1) if period else year_start
    rows = (
        StageEvent.objects.filter(happened_on__range=(lower, end), to_stage__in=PROGRESS_STAGES)
        .values("entry__enterprise__district_id", "to_stage")
        .annotate(ytd=Count("id", filter=Q(happened_on__gte=year_start)), period=Count("id"))
    )
    counts: dict[int | None, dict[str, dict[str, int]]] = {}
    totals: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["entry__enterprise__district_id"], {})[r["to_stage"]] = {
            "half": r["ytd"],
            "ytd": r["ytd"],
        }
        total = totals.setdefault(r["to_stage"], {"half": 0, "ytd": 0, "period": 0})
        total["half"] += r["ytd"]
        total["ytd"] += r["ytd"]
        total["period"] += r["period"]
    targets = list(Target.objects.filter(year=year).select_related("district"))
    city_target = next((t for t in targets if t.district_id is None), None)
    district_rows = [
        _row(t.district, counts.get(t.district_id, {}), t) for t in targets if t.district_id is not None
    ]
    behind = sorted(
        (r for r in district_rows if r.overall is not None and r.overall < 100),
        key=lambda r: (r.overall, r.district.code if r.district else ""),
    )[:BEHIND_SHOWN]
    return OfficeSummary(
        year,
        _row(None, totals, city_target),
        period,
        {stage: t["period"] for stage, t in totals.items()},
        behind,
    )


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
