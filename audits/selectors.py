from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from districts.models import District
from experts.models import Expert, ExpertKind


def districts_overview() -> QuerySet[District]:
    """Each district with its registered enterprises and officials, in one query."""
    return District.objects.annotate(
        enterprise_count=Count("enterprises", distinct=True),
        official_count=Count("officials", filter=Q(officials__role=Role.DISTRICT), distinct=True),
    ).order_by("code")


def expert_pool_counts() -> dict[str, int]:
    return Expert.objects.aggregate(
        technical=Count("id", filter=Q(kind=ExpertKind.TECHNICAL, active=True)),
        financial=Count("id", filter=Q(kind=ExpertKind.FINANCIAL, active=True)),
        inactive=Count("id", filter=Q(active=False)),
    )
