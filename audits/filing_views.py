"""The municipal office's browser pages for district filings (审核检查, 第十条（5）).

Decisions go through :func:`audits.services.filing_decide`, the same service as the API; a decided
entry stays decided and is shown read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from audits.services import filing_decide
from certification.errors import ApplicationStateError, InvalidInput
from districts.api.filings import filings_visible_to
from districts.models import District, Filing, FilingEntry, FilingStatus

PAGE_SIZE = 25
APPROVE, RETURN = "approve", "return"


@role_required(Role.MUNICIPAL)
@require_safe
def filings(request: HttpRequest) -> HttpResponse:
    filters = {"status": request.GET.get("status", ""), "district": request.GET.get("district", "")}
    # Counts instead of the entries themselves: the list stays at a fixed number of queries.
    qs = (
        filings_visible_to(request.user)
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
    if filters["status"] in FilingStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters["district"]:
        qs = qs.filter(district__code=filters["district"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audits/filings.html",
        {
            "page": page,
            "filters": filters,
            "querystring": params.urlencode(),
            "statuses": FilingStatus.choices,
            "districts": District.objects.only("code", "name"),
        },
    )


def _entries(filing: Filing) -> list[FilingEntry]:
    return list(filing.entries.select_related("application__enterprise", "application__field", "decided_by"))


def _render_detail(
    request: HttpRequest,
    filing: Filing,
    *,
    status: int = 200,
    values: dict[int, dict[str, str]] | None = None,
    row_errors: dict[int, list[str]] | None = None,
    errors: list[str] | None = None,
    confirmed: bool = False,
) -> HttpResponse:
    values, row_errors = values or {}, row_errors or {}
    rows = [
        {
            "entry": e,
            "value": values.get(e.application_id, {}),
            "errors": row_errors.get(e.application_id, []),
        }
        for e in _entries(filing)
    ]
    return render(
        request,
        "audits/filing_detail.html",
        {
            "filing": filing,
            "rows": rows,
            "undecided": sum(1 for r in rows if r["entry"].approved is None),
            "errors": errors or [],
            "confirmed": confirmed,
        },
        status=status,
    )


@role_required(Role.MUNICIPAL)
@require_http_methods(["GET", "POST"])
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = get_object_or_404(
        filings_visible_to(request.user).prefetch_related(None).select_related("district", "created_by"),
        pk=pk,
    )
    if request.method == "GET":
        return _render_detail(request, filing)

    # One row per undecided entry: decision-<application id> (approve / return / nothing yet) and its reason.
    values: dict[int, dict[str, str]] = {}
    decisions: list[dict[str, Any]] = []
    for entry in filing.entries.filter(approved__isnull=True):
        app_id = entry.application_id
        choice = request.POST.get(f"decision-{app_id}", "")
        reason = request.POST.get(f"reason-{app_id}", "")
        values[app_id] = {"decision": choice, "reason": reason}
        if choice in (APPROVE, RETURN):
            decisions.append({"application": app_id, "approved": choice == APPROVE, "reason": reason})
    confirmed = request.POST.get("confirm") == "1"
    if not confirmed:
        return _render_detail(
            request, filing, status=400, values=values, errors=[_("请勾选确认后再提交审核决定。")]
        )
    try:
        filing_decide(filing=filing, by=request.user, decisions=decisions)
    except InvalidInput as exc:
        general: list[str] = []
        row_errors: dict[int, list[str]] = {}
        for key, problems in exc.errors.items():
            # "decisions[1].reason" → the row of the second decision sent.
            index = key[len("decisions[") :].split("]", 1)[0] if key.startswith("decisions[") else ""
            if index.isdigit() and int(index) < len(decisions):
                row_errors.setdefault(decisions[int(index)]["application"], []).extend(problems)
            else:
                general.extend(problems)
        return _render_detail(
            request, filing, status=400, values=values, row_errors=row_errors, errors=general, confirmed=True
        )
    except ApplicationStateError as exc:
        return _render_detail(request, filing, status=409, values=values, errors=[exc.message])
    approved = sum(1 for d in decisions if d["approved"])
    messages.success(
        request,
        _("已审核 %(n)s 件：通过 %(ok)s 件，退回 %(back)s 件。")
        % {"n": len(decisions), "ok": approved, "back": len(decisions) - approved},
    )
    return redirect("audits:filing_detail", pk=filing.pk)
