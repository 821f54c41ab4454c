"""The filing package (报备材料, 第十条（5）) and the filing letter (报备函) in the district government's name.

``package_for(application)`` is the snapshot written on each ``FilingEntry`` at filing time: the
composite score, the expert draw record(s), the publicity objections with their findings (never the
objector's name or phone), the intermediary's audit report(s) and the SHA-256 of every uploaded
document. What the office audits is what was filed, even if something changes later.

``filing_letter_pdf(filing)`` renders ``templates/pdf/filing_letter.html`` from those snapshots.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification.models import Application, DocumentKind, Objection, PublicityEntry
from core.pdf import pdf_response, render_pdf
from districts.models import Filing, FilingEntry

LETTER_TEMPLATE = "pdf/filing_letter.html"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def with_package_relations(qs: QuerySet[Application]) -> QuerySet[Application]:
    """The prefetches ``package_for`` reads: a fixed number of queries for any number of applications."""
    return qs.prefetch_related(
        "documents",
        "draws",
        Prefetch(
            "publicity_entries",
            queryset=PublicityEntry.objects.select_related("notice").prefetch_related(
                Prefetch("objections", queryset=Objection.objects.order_by("created_at", "id"))
            ),
        ),
    )


EMPTY_PACKAGE: dict[str, Any] = {
    "composite_score": None,
    "review_passed": None,
    "opinion_note": "",
    "draws": [],
    "publicity": [],
    "objections": [],
    "audit_reports": [],
    "documents": [],
}


def complete(package: dict[str, Any] | None) -> dict[str, Any]:
    """Every key present (an entry filed before packages were kept has an empty one)."""
    return {**EMPTY_PACKAGE, **(package or {})}


def is_late(application: Application, filed_on: dt.date) -> bool:
    """Filed after the 40-calendar-day limit counted from 受理 (allowed, but marked)."""
    return application.review_deadline is not None and filed_on > application.review_deadline


def package_for(application: Application) -> dict[str, Any]:
    """Plain JSON data; ``application`` comes from :func:`with_package_relations`."""
    documents = sorted(application.documents.all(), key=lambda d: (d.kind, d.uploaded_at, d.pk))
    draws = sorted(application.draws.all(), key=lambda d: (d.created_at, d.pk))
    entries = sorted(application.publicity_entries.all(), key=lambda e: (e.notice.start, e.pk))
    return {
        "composite_score": None if application.composite_score is None else str(application.composite_score),
        "review_passed": application.review_passed,
        "opinion_note": application.opinion_note,
        "draws": [
            {
                "id": d.pk,
                "seed": d.seed,
                "algorithm_version": d.algorithm_version,
                "mode": d.mode,
                "created_at": _iso(d.created_at),
                "panel": [
                    {"expert_id": p["expert_id"], "kind": p["kind"], "chair": bool(p.get("chair", False))}
                    for p in d.panel
                ],
                "alternates": len(d.alternates),
                "excluded": len(d.excluded),
            }
            for d in draws
        ],
        "publicity": [
            {
                "notice": e.notice_id,
                "title": e.notice.title,
                "start": _iso(e.notice.start),
                "end": _iso(e.notice.end),
                "outcome": e.outcome,
            }
            for e in entries
        ],
        # The objector's identity stays with the objection (seen by the district only on its own page).
        "objections": [
            {
                "tracking_number": o.tracking_number,
                "reason": o.reason,
                "status": o.status,
                "finding": o.finding,
                "created_at": _iso(o.created_at),
                "decided_at": _iso(o.decided_at),
                "evidence_sha256": o.evidence_sha256,
            }
            for e in entries
            for o in e.objections.all()
        ],
        "audit_reports": [
            {
                "document": d.pk,
                "name": d.original_name,
                "sha256": d.sha256,
                "firm": application.audit_firm,
                "number": application.audit_report_number,
                "date": _iso(application.audit_report_date),
            }
            for d in documents
            if d.kind == DocumentKind.AUDIT_REPORT
        ],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "name": d.original_name,
                "size": d.size,
                "sha256": d.sha256,
                "uploaded_at": _iso(d.uploaded_at),
            }
            for d in documents
        ],
    }


# --- Display --------------------------------------------------------------------------------------


def package_display(package: dict[str, Any]) -> dict[str, Any]:
    """The package with labels for the pages and the letter (kinds and statuses in the reader's language)."""
    from certification.models import EntryOutcome, ObjectionStatus
    from experts.models import ReviewMode

    package = complete(package)
    kinds, statuses = dict(DocumentKind.choices), dict(ObjectionStatus.choices)
    outcomes, modes = dict(EntryOutcome.choices), dict(ReviewMode.choices)
    return {
        **package,
        "draws": [
            {**d, "mode_label": modes.get(d["mode"], d["mode"]), "panel_size": len(d["panel"])}
            for d in package.get("draws", [])
        ],
        "publicity": [
            {**p, "outcome_label": outcomes.get(p["outcome"], p["outcome"])}
            for p in package.get("publicity", [])
        ],
        "objections": [
            {**o, "status_label": statuses.get(o["status"], o["status"])}
            for o in package.get("objections", [])
        ],
        "audit_reports": list(package.get("audit_reports", [])),
        "documents": [
            {**d, "kind_label": kinds.get(d["kind"], d["kind"])} for d in package.get("documents", [])
        ],
    }


def entries_for_display(filing: Filing) -> list[FilingEntry]:
    entries = list(
        filing.entries.select_related("application__enterprise", "application__field", "decided_by")
    )
    for entry in entries:
        entry.package_view = package_display(entry.package or {})  # type: ignore[attr-defined]
    return entries


def entries_without_packages(filing: Filing) -> QuerySet[FilingEntry]:
    """The filing's entries for a paged page, in their order: without their packages (``with_packages``
    adds them to the rows shown)."""
    return (
        filing.entries.select_related("application__enterprise", "application__field", "decided_by")
        .defer("package")
        .order_by("id")
    )


PACKAGE_BODY_TEMPLATE = "includes/filing_package_body.html"
PACKAGE_CACHE_SECONDS = 7 * 24 * 3600


def _body_key(filing: Filing, entry: FilingEntry, language: str) -> str:
    # A package, its score, time limit and lateness never change once filed, so its rendered body is
    # kept per entry and language. The filing's time in the key guards against ids that repeat (a
    # database restored or rebuilt beside a cache that outlived it).
    return f"filing-package:v1:{language}:{entry.pk}:{filing.created_at.timestamp():.6f}"


def with_package_html(filing: Filing, entries: list[FilingEntry]) -> list[FilingEntry]:
    """Each entry of `filing` with its package's body rendered (``package_html``): from the cache,
    or read (one query for every entry missing), rendered and cached."""
    language = get_language() or settings.LANGUAGE_CODE
    keys = {entry.pk: _body_key(filing, entry, language) for entry in entries}
    bodies: dict[str, str] = cache.get_many(list(keys.values())) if keys else {}
    missing = [entry for entry in entries if keys[entry.pk] not in bodies]
    if missing:
        fresh = {
            keys[entry.pk]: render_to_string(PACKAGE_BODY_TEMPLATE, {"e": entry})
            for entry in with_packages(missing)
        }
        cache.set_many(fresh, PACKAGE_CACHE_SECONDS)
        bodies.update(fresh)
    for entry in entries:  # the bodies are this function's own renderings, escaped by the template
        entry.package_html = mark_safe(bodies[keys[entry.pk]])  # type: ignore[attr-defined]
    return entries


def with_packages(entries: list[FilingEntry]) -> list[FilingEntry]:
    """Each entry with its package read for display, in one query for all of them."""
    packages = dict(
        FilingEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by().values_list("pk", "package")
    )
    for entry in entries:
        entry.package_view = package_display(packages.get(entry.pk) or {})  # type: ignore[attr-defined]
    return entries


# --- The filing letter ------------------------------------------------------------------------------


def government_of(filing: Filing) -> str:
    return filing.district.government_name or filing.district.name


def filing_letter_context(filing: Filing) -> dict[str, Any]:
    filing = Filing.objects.select_related("district", "created_by").get(pk=filing.pk)
    entries = entries_for_display(filing)
    return {
        "filing": filing,
        "government": government_of(filing),
        "entries": entries,
        "late_count": sum(1 for e in entries if e.late),
        "document_count": sum(len(e.package_view["documents"]) for e in entries),  # type: ignore[attr-defined]
        "filed_on": timezone.localdate(filing.created_at),
    }


def filing_letter_pdf(filing: Filing) -> bytes:
    return render_pdf(LETTER_TEMPLATE, filing_letter_context(filing))


def filing_letter_download(filing: Filing) -> HttpResponse:
    """报备函-<id>.pdf, for the district's page, the office's page and the API alike."""
    name = _("报备函-%(district)s-%(id)s") % {"district": filing.district.name, "id": filing.pk}
    return pdf_response(
        filing_letter_pdf(filing), f"{name}.pdf", ascii_filename=f"filing-letter-{filing.pk}.pdf"
    )
