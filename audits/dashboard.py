"""The numbers of the office's dashboards, for the city or one district, in a fixed number of queries.

Definitions (each dashboard table says the same in words):

- *certified*: certificates issued in the year (by `issued_on`, Beijing dates), counted by month of
  issue, whether or not later revoked — it is the certification event the target counts;
- *pipeline*: the year's applications (`Application.year`, 申报年度) by current status, drafts excluded
  (a draft is the enterprise's own until submitted);
- *filed within 40 days* (第十条（3）): of the year's applications with a transition to “filed”, those
  whose first such transition falls (Beijing date) on or before `review_deadline`;
- *median days per stage*: from `ApplicationTransition` timestamps, in calendar days between Beijing
  dates; a stage runs from the last entry into its first status before the first entry into its
  second status (a resubmission restarts “submitted → accepted”). Each application carries these
  dates (`certification.applications.stage_dates`), so the medians aggregate one row per application;
- *by field*: the year's applications by top-level field of the catalogue (a sub-field counts for its
  parent), with how many of them are certified;
- *pool*: the candidate pool (备选库) as it stands, by readiness;
- *open checks*: supervision checks still planned, and how many of them are past their date.

``cached_dashboard`` serves the same figures from the cache while nothing they count has changed: its key
holds the newest history row of every model counted (core.freshness), so a change shows on the next
request.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Aggregate, Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from audits.aggregates import Median
from audits.models import CheckStatus, SupervisionCheck, Target
from certification import workflow
from certification.applications import stage_dates
from certification.models import (
    Application,
    ApplicationStatus,
    ApplicationTransition,
    Certificate,
    Enterprise,
    Field,
    PoolEntry,
    Readiness,
)
from core.freshness import fingerprint
from districts.models import District

# The policy anchors (docs/domain.md “Targets”): city-wide totals, not per-district rows.
CITY_ANCHORS: dict[int, int] = {2015: 500, 2017: 1500}
NATIONAL_ANCHORS: dict[int, int] = {2017: 3000}

STAGES: tuple[tuple[str, str], ...] = tuple((s.from_status, s.to_status) for s in stage_dates.STAGES)
FIRST_FILED_ON = stage_dates.FIRST_FILED_ON
PIPELINE_STATUSES = workflow.SUBMITTED_STATUSES
_STATUS_LABELS = dict(ApplicationStatus.choices)
_READINESS_LABELS = dict(Readiness.choices)


@dataclass
class Stage:
    from_status: str
    to_status: str
    median: float | None = None  # days; the median of an even number of applications may be a half
    count: int = 0  # applications that went through the stage

    @property
    def label(self) -> str:
        return f"{_STATUS_LABELS[self.from_status]} → {_STATUS_LABELS[self.to_status]}"


@dataclass
class Scope:
    """The numbers of one district, or of the city when `district` is None."""

    district: District | None
    certified_by_month: list[int] = field(default_factory=lambda: [0] * 12)
    certified_target: int | None = None
    pool_target: int | None = None
    pipeline: Counter = field(default_factory=Counter)
    filed: int = 0
    filed_on_time: int = 0
    stages: list[Stage] = field(default_factory=lambda: [Stage(a, b) for a, b in STAGES])
    by_field: Counter = field(default_factory=Counter)  # top-level field id → applications
    certified_by_field: Counter = field(default_factory=Counter)  # → applications in status “certified”
    readiness: Counter = field(default_factory=Counter)
    cultivation: int = 0
    open_checks: int = 0
    overdue_checks: int = 0

    @property
    def certified(self) -> int:
        return sum(self.certified_by_month)

    @property
    def cumulative(self) -> list[int]:
        total, out = 0, []
        for n in self.certified_by_month:
            total += n
            out.append(total)
        return out

    @property
    def applications(self) -> int:
        return sum(self.pipeline.values())

    @property
    def on_time_share(self) -> Decimal | None:
        """Percent with one decimal, or None when nothing has been filed yet."""
        if not self.filed:
            return None
        return (Decimal(self.filed_on_time * 100) / Decimal(self.filed)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def pool(self) -> int:
        return sum(self.readiness.values())

    @property
    def target_share(self) -> Decimal | None:
        if not self.certified_target:
            return None
        return (Decimal(self.certified * 100) / Decimal(self.certified_target)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def pipeline_rows(self) -> list[tuple[str, str, int]]:
        return [(s, _STATUS_LABELS[s], self.pipeline.get(s, 0)) for s in PIPELINE_STATUSES]

    def readiness_rows(self) -> list[tuple[str, str, int]]:
        return [(r, _READINESS_LABELS[r], self.readiness.get(r, 0)) for r in Readiness.values]


@dataclass
class Dashboard:
    year: int
    today: dt.date
    total: Scope  # the city's numbers, or the district's on a district dashboard
    districts: list[Scope]  # one row per district (just the one on a district dashboard)
    fields: dict[int, Field]
    anchor: int | None
    national_anchor: int | None

    @property
    def is_city(self) -> bool:
        return self.total.district is None

    def field_rows(self, scope: Scope) -> list[tuple[str, int, int]]:
        rows = [
            (
                str(self.fields[fid].name) if fid in self.fields else "—",
                n,
                scope.certified_by_field.get(fid, 0),
            )
            for fid, n in scope.by_field.items()
        ]
        return sorted(rows, key=lambda r: (-r[1], r[0]))


def _whole(value: float) -> float | int:
    """A median as ``statistics.median`` gives it: a whole number of days as an int."""
    return int(value) if float(value).is_integer() else float(value)


def _stage_figures(applications: QuerySet, by_district: bool) -> list[dict]:
    """Filings, filings in time, and each stage's median days and count: one row for the whole of
    `applications` (``scope`` None) and, with `by_district`, one per district, in one query."""
    figures: dict[str, Aggregate] = {
        "filed": Count(FIRST_FILED_ON),
        "on_time": Count("pk", filter=Q(**{f"{FIRST_FILED_ON}__lte": F("review_deadline")})),
    }
    for index, stage in enumerate(stage_dates.STAGES):
        figures[f"median{index}"] = Median(stage.days)
        figures[f"count{index}"] = Count(stage.days)
    # A constant is no GROUP BY column: this is the aggregate of every row.
    total = (
        applications.order_by()
        .annotate(scope=Value(None, output_field=IntegerField()))
        .values("scope")
        .annotate(**figures)
    )
    if not by_district:
        return list(total)
    per_district = applications.order_by().values(scope=F("district_id")).annotate(**figures)
    return list(per_district.union(total, all=True))


def dashboard(year: int, district: District | None = None, today: dt.date | None = None) -> Dashboard:
    """Every number of the city dashboard (`district=None`) or one district's, in at most eight queries.

    Every count, share and median is aggregated by the database (GROUP BY; the stage medians with
    ``percentile_cont`` on PostgreSQL): the rows fetched grow with the districts and fields, not the
    applications."""
    today = today or timezone.localdate()
    districts = [district] if district is not None else list(District.objects.order_by("code"))
    only = {"district_id": district.pk} if district is not None else {}
    scopes: dict[int, Scope] = {d.pk: Scope(district=d) for d in districts}
    city = Scope(district=district)

    def each(district_id: int | None) -> list[Scope]:
        # A row counts for its district and, on the city dashboard, for the city as well.
        scope = scopes.get(district_id) if district_id is not None else None
        if district is not None:
            return [scope] if scope is not None else []
        return [city, scope] if scope is not None else [city]

    # 1. Targets.
    targets = Target.objects.filter(year=year, **only).values_list(
        "district_id", "certified_target", "pool_target"
    )
    for district_id, certified_target, pool_target in targets:
        scopes[district_id].certified_target = certified_target
        scopes[district_id].pool_target = pool_target
    if district is None:
        set_targets = [s for s in scopes.values() if s.certified_target is not None]
        if set_targets:
            city.certified_target = sum(s.certified_target or 0 for s in set_targets)
            city.pool_target = sum(s.pool_target or 0 for s in set_targets)

    # 2. Certificates issued in the year, by district and month.
    issued = (
        Certificate.objects.filter(issued_on__year=year, **only)
        .annotate(month=ExtractMonth("issued_on"))
        .values("district_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in issued:
        for scope in each(row["district_id"]):
            scope.certified_by_month[row["month"] - 1] += row["n"]

    # 3. The year's applications by district, top-level field and status.
    app_filter = {"district_id": district.pk} if district is not None else {}
    applications = (
        Application.objects.filter(year=year, **app_filter)
        .exclude(status=ApplicationStatus.DRAFT)
        .annotate(top=Coalesce(F("field__parent_id"), F("field_id")))
        .values("district_id", "top", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    top_ids: set[int] = set()
    for row in applications:
        for scope in each(row["district_id"]):
            scope.pipeline[row["status"]] += row["n"]
            if row["top"] is not None:
                scope.by_field[row["top"]] += row["n"]
                if row["status"] == ApplicationStatus.CERTIFIED:
                    scope.certified_by_field[row["top"]] += row["n"]
        if row["top"] is not None:
            top_ids.add(row["top"])

    # 4. The names of those fields.
    fields = Field.objects.in_bulk(top_ids) if top_ids else {}

    # 5. The 40-day share and the stage medians, from the stage dates of the year's applications
    #    (one row per district and one for the whole scope).
    year_applications = Application.objects.filter(year=year, **app_filter).exclude(
        status=ApplicationStatus.DRAFT
    )
    for row in _stage_figures(year_applications, by_district=district is None):
        if row["scope"] is None:
            targets_of = [city] if district is None else [scopes[district.pk]]
        else:
            targets_of = [scopes[row["scope"]]] if row["scope"] in scopes else []
        for scope in targets_of:
            scope.filed, scope.filed_on_time = row["filed"], row["on_time"]
            for index, stage in enumerate(scope.stages):
                median = row[f"median{index}"]
                stage.median = None if median is None else _whole(median)
                stage.count = row[f"count{index}"]

    # 6. The candidate pool by district and readiness.
    pool_filter = {"enterprise__district_id": district.pk} if district is not None else {}
    pool = (
        PoolEntry.objects.filter(**pool_filter)
        .values("enterprise__district_id", "readiness")
        .annotate(n=Count("id"), cultivated=Count("id", filter=Q(cultivation=True)))
        .order_by()
    )
    for row in pool:
        for scope in each(row["enterprise__district_id"]):
            scope.readiness[row["readiness"]] += row["n"]
            scope.cultivation += row["cultivated"]

    # 7. Open supervision checks.
    checks = (
        SupervisionCheck.objects.filter(status=CheckStatus.PLANNED, **only)
        .values("district_id")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(scheduled_on__lt=today)))
        .order_by()
    )
    for row in checks:
        for scope in each(row["district_id"]):
            scope.open_checks += row["n"]
            scope.overdue_checks += row["overdue"]

    return Dashboard(
        year=year,
        today=today,
        total=city if district is None else scopes[district.pk],
        districts=[scopes[d.pk] for d in districts],
        fields=fields,
        anchor=CITY_ANCHORS.get(year) if district is None else None,
        national_anchor=NATIONAL_ANCHORS.get(year) if district is None else None,
    )


# --- The cached figures ------------------------------------------------------------------------------

CACHE_SECONDS = 600  # a bound on staleness should a change bypass the history (a raw SQL repair, say)
# What the figures count: a change to any of these may change them (a status change writes a transition).
_COUNTED = (
    ApplicationTransition,
    Application,
    Enterprise,
    Certificate,
    PoolEntry,
    Field,
    Target,
    SupervisionCheck,
)


def cached_dashboard(year: int, district: District | None = None, today: dt.date | None = None) -> Dashboard:
    """``dashboard(year, district, today)``, computed once for each state of the data it counts."""
    today = today or timezone.localdate()
    scope = district.pk if district else "city"
    key = f"dashboard:v1:{year}:{scope}:{today.isoformat()}:{fingerprint(_COUNTED)}"
    figures = cache.get(key)
    if figures is None:
        figures = dashboard(year, district, today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures
