from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, QuerySet, Value, When

from certification.models import Application, Document, DocumentKind, Field


def fields_in_force() -> QuerySet[Field]:
    return Field.objects.filter(catalogue__in_force=True).select_related("parent").order_by("code")


def with_application_details(qs: QuerySet) -> QuerySet:
    """Everything the application detail (page, API, PDF) shows, in a fixed number of queries."""
    return qs.select_related("enterprise__district", "field__parent", "rule_set").prefetch_related(
        "fiscal_years", "ip_items", "conversions", "products", "transitions__by"
    )


def with_application_summary(qs: QuerySet) -> QuerySet:
    return qs.select_related("enterprise__district", "field", "rule_set")


def documents_for(application: Application) -> QuerySet[Document]:
    """The materials of one application, with their uploader, in the order of the nine kinds."""
    kind_order = Case(*(When(kind=k, then=Value(i)) for i, k in enumerate(DocumentKind.values)))
    return (
        Document.objects.filter(application_id=application.pk)
        .select_related("uploaded_by")
        .order_by(kind_order, "uploaded_at", "id")
    )


def same_file_kinds(documents: list[Document]) -> dict[int, list[str]]:
    """One application's documents whose file was also uploaded under another kind: document id → the
    labels of the other kinds with the same file (same stored SHA-256 and size). A scan filed once as IP
    proof and again as conversion proof is one piece of evidence, not two."""
    groups: dict[tuple[str, int], list[Document]] = {}
    for doc in documents:
        groups.setdefault((doc.sha256, doc.size), []).append(doc)
    flagged: dict[int, list[str]] = {}
    for twins in groups.values():
        for doc in twins:
            others = []
            for other in twins:
                label = str(other.get_kind_display())
                if other.kind != doc.kind and label not in others:
                    others.append(label)
            if others:
                flagged[doc.pk] = others
    return flagged


@dataclass(frozen=True)
class Duplicates:
    """Other enterprises' identical files, per document of this application: ``visible`` lists those
    in applications the viewer may open (with the enterprise's name), ``hidden`` only counts the rest
    (another district's, a draft): the flag never names what the viewer could not open."""

    visible: dict[int, list[dict]]
    hidden: dict[int, int]

    def __bool__(self) -> bool:
        return bool(self.visible or self.hidden)


def duplicate_documents(application: Application, viewer) -> Duplicates:  # type: ignore[no-untyped-def]
    """Other enterprises' documents with the same SHA-256 as this application's, keyed by our document id.

    Identical files filed by different enterprises are flagged to the district (a copied audit
    report or IP proof). Only documents that have such twins appear in the result. Two queries: the
    twins, and which of their applications the viewer may see (``applications_visible_to``).
    """
    from certification.applications.permissions import applications_visible_to

    rows = (
        Document.objects.filter(
            sha256__in=Document.objects.filter(application_id=application.pk).values("sha256")
        )
        .values(
            "id",
            "sha256",
            "kind",
            "application_id",
            "application__enterprise_id",
            "application__enterprise__name",
        )
        .order_by("application_id", "id")
    )
    mine: dict[str, list[int]] = {}
    others: dict[str, list[dict]] = {}
    for row in rows:
        if row["application_id"] == application.pk:
            mine.setdefault(row["sha256"], []).append(row["id"])
        elif row["application__enterprise_id"] != application.enterprise_id:
            others.setdefault(row["sha256"], []).append(row)
    candidates = {row["application_id"] for twins in others.values() for row in twins}
    seen = (
        set(applications_visible_to(viewer).filter(pk__in=candidates).values_list("pk", flat=True))
        if candidates
        else set()
    )
    visible: dict[int, list[dict]] = {}
    hidden: dict[int, int] = {}
    for sha, ids in mine.items():
        twins = others.get(sha, [])
        shown = [
            {
                "document_id": row["id"],
                "application_id": row["application_id"],
                "enterprise_name": row["application__enterprise__name"],
                "kind": row["kind"],
            }
            for row in twins
            if row["application_id"] in seen
        ]
        for doc_id in ids:
            if shown:
                visible[doc_id] = shown
            if len(twins) > len(shown):
                hidden[doc_id] = len(twins) - len(shown)
    return Duplicates(visible=visible, hidden=hidden)
