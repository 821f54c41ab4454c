"""Reads of the cadre help ledger that join, with their related rows declared in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Rank
from django.utils import timezone

from cadres import clocks
from cadres.models import (
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    Assignment,
    CadreLevel,
    DevelopmentData,
    Evaluation,
    Half,
    HelpList,
    HelpListEntry,
    HelpRecord,
    IndicatorSource,
    Ledger,
    LedgerStatus,
)


def entry_list(qs: QuerySet[HelpListEntry], params: Mapping[str, str]) -> QuerySet[HelpListEntry]:
    """The list page's rows: search by name or USCC, filter by list, key flag, district; with the cadres."""
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__icontains=q.upper()))
    if params.get("list") in HelpList.values:
        qs = qs.filter(help_list=params["list"])
    if params.get("key") == "1":
        qs = qs.filter(is_key=True)
    if (params.get("district") or "").isdigit():
        qs = qs.filter(enterprise__district__code=params["district"])
    return (
        qs.select_related("enterprise__district")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("cadre")))
        .annotate(record_count=Count("records", distinct=True), record_hours=Sum("records__hours"))
        .order_by("help_list", "enterprise__name", "pk")
    )


def entry_detail(qs: QuerySet[HelpListEntry], pk: int) -> HelpListEntry:
    return (
        qs.select_related("enterprise__district", "survey")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("cadre__cadre_profile")),
            "goals",
            "records",
            Prefetch("development", queryset=DevelopmentData.objects.order_by("year", "half")),
            "ledgers",
            Prefetch("evaluations", queryset=Evaluation.objects.select_related("cadre")),
        )
        .get(pk=pk)
    )


def ledger_queue(qs: QuerySet[Ledger], status: str) -> QuerySet[Ledger]:
    return (
        qs.filter(status=status)
        .select_related("entry__enterprise__district", "changed_by")
        .order_by("year", "half", "entry__enterprise__name")
    )


QUEUE_STATUS = {"district": LedgerStatus.CONFIRMED, "office": LedgerStatus.DISTRICT_REVIEWED}


# --- The assessment of cadres ---------------------------------------------------------------------


def period_days(year: int, half: str) -> tuple[dt.date, dt.date]:
    """The days an assessment covers: January–June for the half-year, the calendar year for the annual."""
    return dt.date(year, 1, 1), dt.date(year, 6, 30) if half == Half.FIRST else dt.date(year, 12, 31)


def period_halves(half: str) -> tuple[str, ...]:
    """The ledger periods inside an assessment's period (the annual one covers both)."""
    return (Half.FIRST,) if half == Half.FIRST else (Half.FIRST, Half.YEAR)


def assessment_measures(
    *, cadre: Any, entry: HelpListEntry, year: int, half: str
) -> dict[str, Decimal | None]:
    """The ledger's figures of a cadre's period, by indicator source (docs/domain.md, Assessment of cadres)."""
    first, last = period_days(year, half)
    records = HelpRecord.objects.filter(cadre=cadre, entry=entry, helped_on__range=(first, last)).aggregate(
        count=Count("pk"),
        hours=Sum("hours"),
        cases=Count("pk", filter=~Q(effect="")),
    )
    halves = period_halves(half)
    evaluation = Evaluation.objects.filter(cadre=cadre, entry=entry, year=year, half__in=halves).aggregate(
        average=Avg("score")
    )["average"]
    on_time = 0
    for ledger in Ledger.objects.filter(entry=entry, year=year, half__in=halves, status=LedgerStatus.FILED):
        first_submitted = (
            ledger.history.filter(status=LedgerStatus.SUBMITTED).order_by("history_date").first()
        )
        if first_submitted is not None and (
            timezone.localdate(first_submitted.history_date) <= clocks.due_on(ledger.year, ledger.half)
        ):
            on_time += 1
    return {
        IndicatorSource.RECORDS: Decimal(records["count"]),
        IndicatorSource.HOURS: records["hours"] or Decimal(0),
        IndicatorSource.CASES: Decimal(records["cases"]),
        IndicatorSource.EVALUATION: (
            Decimal(str(evaluation)).quantize(Decimal("0.01")) if evaluation is not None else None
        ),
        IndicatorSource.LEDGERS: (Decimal(on_time) / len(halves)).quantize(Decimal("0.01")),
    }


def ranking(qs: QuerySet[Assessment], *, year: int, half: str, level: str = "") -> QuerySet[Assessment]:
    """Finalised assessments of a period ranked by total: equal totals share a rank (1, 1, 3), ``tied``
    counts the cadres with that total; within a tie, by user name. Optionally one cadre level."""
    qs = qs.filter(year=year, half=half, status=AssessmentStatus.FINALISED)
    if level in CadreLevel.values:
        qs = qs.filter(cadre__cadre_profile__level=level)
    return (
        qs.select_related("cadre__cadre_profile", "entry__enterprise__district")
        .annotate(
            rank=Window(Rank(), order_by=F("total").desc()),
            tied=Window(Count("pk"), partition_by=[F("total")]),
        )
        .order_by("-total", "cadre__username", "pk")
    )


def assessment_drafts(qs: QuerySet[Assessment], *, year: int, half: str) -> QuerySet[Assessment]:
    return (
        qs.filter(year=year, half=half, status=AssessmentStatus.DRAFT)
        .select_related("cadre__cadre_profile", "entry__enterprise")
        .order_by("cadre__username", "pk")
    )


def assessment_detail(qs: QuerySet[Assessment], pk: int) -> Assessment:
    return (
        qs.select_related("cadre__cadre_profile", "entry__enterprise__district", "sheet", "assessed_by")
        .prefetch_related(Prefetch("scores", queryset=AssessmentScore.objects.select_related("indicator")))
        .get(pk=pk)
    )


def with_overdue(qs: QuerySet[HelpListEntry], today: dt.date) -> QuerySet[HelpListEntry]:
    """Annotate ``overdue`` (the last period whose deadline has passed has no development data, and the
    entry's five-year span covers it) and ``overdue_year``/``overdue_half``, in the list's one query."""
    year, half = clocks.last_passed_period(today)
    missing = ~Exists(DevelopmentData.objects.filter(entry=OuterRef("pk"), year=year, half=half))
    in_span = Q(year_added__lte=year, year_added__gt=year - clocks.SPAN_YEARS)
    return qs.annotate(
        overdue=ExpressionWrapper(missing & in_span, output_field=BooleanField()),
        overdue_year=Value(year),
        overdue_half=Value(str(Half(half).label)),
    )
