"""Reads of the cadre help ledger that join, with their related rows declared in one place."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from cadres.models import (
    Assignment,
    DevelopmentData,
    Evaluation,
    HelpList,
    HelpListEntry,
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
