from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role
from certification.models import Application, ApplicationStatus, ApplicationTransition
from core.search import name_or_code
from districts.models import Filing

QUEUE_SORTS = {
    "deadline": [F("review_deadline").asc(nulls_last=True), "submitted_at", "id"],
    "submitted": ["-submitted_at", "-id"],
    "name": ["enterprise__name", "id"],
}


def district_queue(
    district_id: int, *, query: str = "", status: str = "", field_code: str = "", sort: str = "deadline"
) -> QuerySet[Application]:
    """The district's applications (never drafts), filtered and sorted; one query whatever the size.

    ``filing_return_note``: the office's reason of the latest return from a filing (shown while the
    application is 报备退回)."""
    returns = ApplicationTransition.objects.filter(
        application=OuterRef("pk"), to_status=ApplicationStatus.FILING_RETURNED
    ).order_by("-at", "-id")
    qs = (
        Application.objects.filter(district_id=district_id)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("enterprise", "field")
        .annotate(filing_return_note=Subquery(returns.values("note")[:1]))
    )
    if query:
        # The enterprise's district is its applications' (Enterprise.save keeps it so): saying it lets
        # the database match the names of the district's enterprises only.
        qs = qs.filter(
            name_or_code(query, names=("enterprise__name",), codes=("enterprise__uscc",)),
            enterprise__district_id=district_id,
        )
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    if field_code:
        qs = qs.filter(field__code__startswith=field_code)
    return qs.order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["deadline"]))


def days_left(deadline: dt.date | None, today: dt.date | None = None) -> int | None:
    if deadline is None:
        return None
    return (deadline - (today or timezone.localdate())).days


def filings_visible_to(user) -> QuerySet[Filing]:  # type: ignore[no-untyped-def]
    """A district official sees their district's filings, the municipal office every filing."""
    qs = Filing.objects.select_related("district").prefetch_related("entries__application__enterprise")
    if user.role == Role.DISTRICT:
        return qs.filter(district_id=user.district_id)
    if user.role == Role.MUNICIPAL:
        return qs
    return qs.none()


def filings_with_counts(user) -> QuerySet[Filing]:  # type: ignore[no-untyped-def]
    """The filings' list rows, newest first: counts of entries by outcome instead of the entries, so a
    list page or an export stays at a fixed number of queries."""
    return (
        filings_visible_to(user)
        .prefetch_related(None)
        .select_related("district", "created_by")
        .annotate(
            entry_count=Count("entries"),
            approved_count=Count("entries", filter=Q(entries__approved=True)),
            returned_count=Count("entries", filter=Q(entries__approved=False)),
            pending_count=Count("entries", filter=Q(entries__approved__isnull=True)),
        )
        .order_by("-created_at", "-id")
    )
