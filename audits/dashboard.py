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
  second status (a resubmission restarts “submitted → accepted”);
- *by field*: the year's applications by top-level field of the catalogue (a sub-field counts for its
  parent), with how many of them are certified;
- *pool*: the candidate pool (备选库) as it stands, by readiness;
- *open checks*: supervision checks still planned, and how many of them are past their date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from audits.models import CheckStatus, SupervisionCheck, Target
from certification.models import (
    Application,
    ApplicationStatus,
    Certificate,
    Field,
    PoolEntry,
    Readiness,
)
from districts.models import District

# The policy anchors (DOMAIN.md “Targets”): city-wide totals, not per-district rows.
CITY_ANCHORS: dict[int, int] = {2015: 500, 2017: 1500}
NATIONAL_ANCHORS: dict[int, int] = {2017: 3000}

FILED = ApplicationStatus.FILED
STAGES: tuple[tuple[str, str], ...] = (
    (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED),
    (ApplicationStatus.ACCEPTED, ApplicationStatus.REVIEWED),
    (ApplicationStatus.REVIEWED, ApplicationStatus.FILED),
    (ApplicationStatus.FILED, ApplicationStatus.APPROVED),
)
PIPELINE_STATUSES = tuple(s for s in ApplicationStatus.values if s != ApplicationStatus.DRAFT)
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


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, timezone.get_default_timezone()).date()


def stage_days(history: list[tuple[str, dt.datetime]], from_status: str, to_status: str) -> int | None:
    """Pure: days from the last entry into `from_status` before the first entry into `to_status`."""
    end = next((at for status, at in history if status == to_status), None)
    if end is None:
        return None
    starts = [at for status, at in history if status == from_status and at <= end]
    if not starts:
        return None
    return (_local_date(end) - _local_date(starts[-1])).days


def _whole(value: float) -> float | int:
    """A median as ``statistics.median`` gives it: a whole number of days as an int."""
    return int(value) if float(value).is_integer() else float(value)


# Per application: the first entry into each stage's end status and the last entry into its start
# status before that (``stage_days`` in SQL), the first filing against the 40-day limit; then per
# district and for the whole scope (ROLLUP): filings, filings in time, and each stage's median and
# count. Dates are Beijing dates (``AT TIME ZONE``), as ``_local_date`` takes them.
_TRANSITIONS_SQL = """
WITH per_app AS (
    SELECT e.district_id, a.review_deadline,
           MIN(t.at) FILTER (WHERE t.to_status = %(filed)s) AS filed_at,
           {end_columns}
    FROM certification_application a
    JOIN certification_enterprise e ON e.id = a.enterprise_id
    JOIN certification_applicationtransition t ON t.application_id = a.id
    WHERE a.year = %(year)s AND a.status <> %(draft)s {district_filter}
    GROUP BY a.id, e.district_id
),
days AS (
    SELECT district_id, review_deadline, filed_at,
           {day_columns}
    FROM per_app
)
SELECT district_id, GROUPING(district_id) = 1 AS total,
       COUNT(filed_at) AS filed,
       COUNT(*) FILTER (
           WHERE (filed_at AT TIME ZONE %(tz)s)::date <= review_deadline
       ) AS on_time,
       {median_columns}
FROM days
GROUP BY ROLLUP (district_id)
"""


def _transitions_sql(district: District | None) -> tuple[str, dict[str, object]]:
    params: dict[str, object] = {
        "year": None,
        "draft": ApplicationStatus.DRAFT,
        "filed": FILED,
        "tz": str(timezone.get_default_timezone()),
    }
    end_columns, day_columns, median_columns = [], [], []
    for index, (from_status, to_status) in enumerate(STAGES):
        params[f"from{index}"], params[f"to{index}"] = from_status, to_status
        end_columns.append(
            f"MIN(t.at) FILTER (WHERE t.to_status = %(to{index})s) AS end{index}, "
            f"array_agg(t.at) FILTER (WHERE t.to_status = %(from{index})s) AS starts{index}"
        )
        day_columns.append(
            f"(end{index} AT TIME ZONE %(tz)s)::date - ((SELECT MAX(s) FROM unnest(starts{index}) s"
            f" WHERE s <= end{index}) AT TIME ZONE %(tz)s)::date AS days{index}"
        )
        median_columns.append(
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY days{index}) AS median{index}, "
            f"COUNT(days{index}) AS count{index}"
        )
    sql = _TRANSITIONS_SQL.format(
        district_filter="AND e.district_id = %(district)s" if district is not None else "",
        end_columns=",\n           ".join(end_columns),
        day_columns=",\n           ".join(day_columns),
        median_columns=",\n       ".join(median_columns),
    )
    if district is not None:
        params["district"] = district.pk
    return sql, params


def _transition_figures(year: int, district: District | None) -> list[tuple]:
    sql, params = _transitions_sql(district)
    params["year"] = year
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dashboard(year: int, district: District | None = None, today: dt.date | None = None) -> Dashboard:
    """Every number of the city dashboard (`district=None`) or one district's, in at most eight queries.

    Every count, share and median is aggregated by PostgreSQL (GROUP BY; the stage medians with
    ``percentile_cont``): the rows fetched grow with the districts and fields, not the applications."""
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
    app_filter = {"enterprise__district_id": district.pk} if district is not None else {}
    applications = (
        Application.objects.filter(year=year, **app_filter)
        .exclude(status=ApplicationStatus.DRAFT)
        .annotate(top=Coalesce(F("field__parent_id"), F("field_id")))
        .values("enterprise__district_id", "top", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    top_ids: set[int] = set()
    for row in applications:
        for scope in each(row["enterprise__district_id"]):
            scope.pipeline[row["status"]] += row["n"]
            if row["top"] is not None:
                scope.by_field[row["top"]] += row["n"]
                if row["status"] == ApplicationStatus.CERTIFIED:
                    scope.certified_by_field[row["top"]] += row["n"]
        if row["top"] is not None:
            top_ids.add(row["top"])

    # 4. The names of those fields.
    fields = Field.objects.in_bulk(top_ids) if top_ids else {}

    # 5. Transitions of the year's applications: the 40-day share and the stage medians, aggregated
    #    in PostgreSQL (one row per district and one for the whole scope).
    for district_id, is_total, filed, on_time, *stage_figures in _transition_figures(year, district):
        targets_of = [city] if is_total and district is None else []
        if not is_total and district_id in scopes:
            targets_of = [scopes[district_id]]
        for scope in targets_of:
            scope.filed, scope.filed_on_time = filed, on_time
            for index, stage in enumerate(scope.stages):
                median, count = stage_figures[2 * index], stage_figures[2 * index + 1]
                stage.median = None if median is None else _whole(median)
                stage.count = count

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
