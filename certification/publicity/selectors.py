"""Reads of publicity that join: the open entries (the public list page and the public API) and
notices with their entries. Their ``select_related``/``prefetch_related`` live here, once; the
query counts are pinned in tests/certification/test_publicity_list_api.py and test_publicity.py."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from certification.models import NoticeStatus, PublicityEntry, PublicityNotice


def notices_with_entries(qs: QuerySet[PublicityNotice]) -> QuerySet[PublicityNotice]:
    """Notices with their district and every entry (enterprise, district, field, rename) prefetched."""
    return qs.select_related("district").prefetch_related(
        Prefetch(
            "entries",
            PublicityEntry.objects.select_related(
                "application__enterprise__district", "application__field", "change"
            ),
        )
    )


def open_entries(*, q: str = "", kind: str = "", district: str = "") -> QuerySet[PublicityEntry]:
    """Every entry of every open notice (of ``kind`` and of the notice's ``district`` code, or all),
    newest notice first, searchable by enterprise name (a rename's new name too) or USCC prefix.

    One query a page: the notice, its district, the application, its enterprise with its district,
    the field and the rename are joined."""
    qs = (
        PublicityEntry.objects.filter(notice__status=NoticeStatus.OPEN)
        .select_related(
            "notice__district", "application__enterprise__district", "application__field", "change"
        )
        .order_by("-notice__start", "-notice_id", "id")
    )
    if kind:
        qs = qs.filter(notice__kind=kind)
    if district:
        qs = qs.filter(notice__district__code=district)
    if q:
        qs = qs.filter(
            Q(application__enterprise__name__icontains=q)
            | Q(application__enterprise__uscc__istartswith=q)
            | Q(change__new_name__icontains=q)
        )
    return qs
