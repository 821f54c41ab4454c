"""The municipal office's browser pages for district filings (审核检查, 第十条（5）).

Decisions go through :func:`audits.services.filing_decide`, the same service as the API; a decided
entry stays decided and is shown read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from audits.models import FilingSample, FilingSampleCheck
from audits.services import filing_decide, filing_sample_draw, filing_sample_record, filing_sample_replay
from core.web import domain_errors
from districts.filing_package import entries_without_packages, filing_letter_download, with_package_html
from districts.models import District, Filing, FilingEntry, FilingStatus
from districts.selectors import filings_visible_to, filings_with_counts

PAGE_SIZE = 25
ENTRIES_PAGE_SIZE = 25  # rows of a filing's decision page, as on the portal's other lists
NO_VALUE = {"decision": "", "reason": ""}  # a row not sent back: every key the template reads
APPROVE, RETURN = "approve", "return"


@role_required(Role.MUNICIPAL)
@require_safe
def filings(request: HttpRequest) -> HttpResponse:
    filters = {"status": request.GET.get("status", ""), "district": request.GET.get("district", "")}
    qs = filings_with_counts(request.user)
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


def _samples(filing: Filing) -> list[dict[str, Any]]:
    """The filing's samples with their checks; the checked entries (with their enterprise's name) are
    read by id, not the whole filing."""
    samples = list(
        FilingSample.objects.filter(filing=filing)
        .select_related("created_by")
        .prefetch_related(
            "checks__recorded_by",
            Prefetch(
                "checks__entry",
                FilingEntry.objects.select_related("application__enterprise").only(
                    "application__enterprise__name"
                ),
            ),
        )
    )
    return [
        {
            "sample": s,
            "replay_ok": filing_sample_replay(s) == list(s.chosen_ids),
            "checks": [{"check": c, "entry": c.entry} for c in s.checks.all()],
        }
        for s in samples
    ]


def _render_detail(
    request: HttpRequest,
    filing: Filing,
    *,
    status: int = 200,
    values: dict[int, dict[str, str]] | None = None,
    row_errors: dict[int, list[str]] | None = None,
    errors: list[str] | None = None,
    confirmed: bool = False,
    sample_errors: dict[str, list[str]] | None = None,
    sample_values: dict[str, str] | None = None,
    check_errors: dict[int, list[str]] | None = None,
) -> HttpResponse:
    values, row_errors = values or {}, row_errors or {}
    # A district's filing can hold hundreds of applications: the decision form and the packages show
    # one page of them; a decision covers the rows sent (the others stay undecided). The totals are
    # counted by the database, not by reading every entry.
    totals = filing.entries.aggregate(
        entries=Count("pk"),
        undecided=Count("pk", filter=Q(approved__isnull=True)),
        late=Count("pk", filter=Q(late=True)),
    )
    paginator = Paginator(entries_without_packages(filing), ENTRIES_PAGE_SIZE)
    paginator.count = totals["entries"]  # known already: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            "value": values.get(e.application_id, NO_VALUE),
            "errors": row_errors.get(e.application_id, []),
        }
        for e in with_package_html(filing, list(page.object_list))
    ]
    return render(
        request,
        "audits/filing_detail.html",
        {
            "filing": filing,
            "rows": rows,
            "page": page,
            "querystring": "",
            "entry_count": totals["entries"],
            "undecided": totals["undecided"],
            "page_undecided": sum(1 for r in rows if r["entry"].approved is None),
            "errors": errors or [],
            "confirmed": confirmed,
            "late_count": totals["late"],
            "samples": _samples(filing),
            "sample_errors": sample_errors or {},
            "sample_values": sample_values or {},
            "check_errors": check_errors or {},
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
    with domain_errors() as failed:
        filing_decide(filing=filing, by=request.user, decisions=decisions)
        approved = sum(1 for d in decisions if d["approved"])
        messages.success(
            request,
            _("已审核 %(n)s 件：通过 %(ok)s 件，退回 %(back)s 件。")
            % {"n": len(decisions), "ok": approved, "back": len(decisions) - approved},
        )
        page = request.GET.get("page", "")
        url = reverse("audits:filing_detail", args=[filing.pk])
        return redirect(f"{url}?page={page}" if page.isascii() and page.isdigit() else url)
    if failed.status == 409:
        return _render_detail(request, filing, status=409, values=values, errors=[failed.message])
    general: list[str] = []
    row_errors: dict[int, list[str]] = {}
    for key, problems in failed.errors.items():
        # "decisions[1].reason" → the row of the second decision sent.
        index = key[len("decisions[") :].split("]", 1)[0] if key.startswith("decisions[") else ""
        if index.isdigit() and int(index) < len(decisions):
            row_errors.setdefault(decisions[int(index)]["application"], []).extend(problems)
        else:
            general.extend(problems)
    return _render_detail(
        request, filing, status=400, values=values, row_errors=row_errors, errors=general, confirmed=True
    )


def _visible_filing(request: HttpRequest, pk: int) -> Filing:
    return get_object_or_404(
        filings_visible_to(request.user).prefetch_related(None).select_related("district", "created_by"),
        pk=pk,
    )


@role_required(Role.MUNICIPAL)
@require_safe
def filing_letter(request: HttpRequest, pk: int) -> HttpResponse:
    return filing_letter_download(_visible_filing(request, pk))


@role_required(Role.MUNICIPAL)
@require_POST
def filing_sample_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw a random sample of the filing's entries for a deeper check (size chosen, seed optional)."""
    filing = _visible_filing(request, pk)
    raw_size, seed = request.POST.get("size", "").strip(), request.POST.get("seed", "")
    size: object = int(raw_size) if raw_size.isdigit() else raw_size
    with domain_errors() as failed:
        sample = filing_sample_draw(filing=filing, by=request.user, size=size, seed=seed)
        messages.success(
            request,
            _("已随机抽取 %(n)s 家企业进行抽查（随机种子 %(seed)s）。")
            % {"n": len(sample.chosen_ids), "seed": sample.seed},
        )
        return redirect(f"{reverse('audits:filing_detail', args=[filing.pk])}#samples")
    return _render_detail(
        request,
        filing,
        status=failed.status,
        sample_errors=failed.errors,
        sample_values={"size": raw_size, "seed": seed},
    )


@role_required(Role.MUNICIPAL)
@require_POST
def filing_sample_check(request: HttpRequest, pk: int, check_id: int) -> HttpResponse:
    """Record the result of the deeper check of one sampled entry."""
    filing = _visible_filing(request, pk)
    check = get_object_or_404(FilingSampleCheck.objects.filter(sample__filing=filing), pk=check_id)
    choice = request.POST.get("passed", "")
    passed: object = {"yes": True, "no": False}.get(choice, choice or None)
    with domain_errors() as failed:
        filing_sample_record(
            check=check, by=request.user, passed=passed, result=request.POST.get("result", "")
        )
        messages.success(request, _("抽查结果已记录。"))
        return redirect(f"{reverse('audits:filing_detail', args=[filing.pk])}#samples")
    problems = [failed.message] if failed.message else [m for msgs in failed.errors.values() for m in msgs]
    return _render_detail(request, filing, status=failed.status, check_errors={check.pk: problems})
