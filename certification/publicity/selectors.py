"""Reads of publicity that join: the open entries (the public list page and the public API) and
notices with their entries. Their ``select_related``/``prefetch_related`` live here, once; the
query counts are pinned in tests/certification/test_publicity_list_api.py and test_publicity.py."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from certification.models import Application, Enterprise, Field, NoticeStatus, PublicityEntry, PublicityNotice


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


ENTRY_RELATIONS = ("notice__district", "application__enterprise__district", "application__field", "change")


def open_entry_ids(*, q: str = "", kind: str = "", district: str = "") -> QuerySet[PublicityEntry]:
    """The ids of every entry of every open notice (of ``kind`` and of the notice's ``district``
    code, or all), newest notice first, searchable by enterprise name (a rename's new name too) or
    USCC prefix: a ``values_list`` to page, then :func:`entries_by_ids` reads the page's rows.

    Paging the ids first (a "deferred join") sorts the open entries joined to their notice only;
    joining every open entry to its application, enterprise, districts and field before the sort,
    to keep 50, took 17–24 ms of the publicity list's 35–40 ms with 685 open entries (bench/pages.py,
    EXPLAIN ANALYZE: a sequential scan of the 20,000 applications and a 7-table plan)."""
    qs = PublicityEntry.objects.filter(notice__status=NoticeStatus.OPEN).order_by(
        "-notice__start", "-notice_id", "id"
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
    return qs.values_list("pk", flat=True)


def entries_by_ids(ids: list[int]) -> list[PublicityEntry]:
    """The entries of ``ids`` in that order, each with its notice (and district), application,
    enterprise (and district), field and rename: one query."""
    rows = PublicityEntry.objects.filter(pk__in=ids).select_related(*ENTRY_RELATIONS).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def open_entries_shown_from() -> tuple[type, ...]:
    """The models whose rows the open entries show (notice, entry, application, enterprise and its
    district, field, rename): a change to any of them changes a cached list (core.freshness)."""
    district = PublicityNotice._meta.get_field("district").related_model
    change = PublicityEntry._meta.get_field("change").related_model
    return (PublicityNotice, PublicityEntry, Application, Enterprise, Field, district, change)
