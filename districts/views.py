from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from certification import pool
from certification.models import PoolEntry, Readiness
from certification.selectors import fields_in_force


@role_required(Role.DISTRICT)
def home(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    enterprises = district.enterprises.order_by("-created_at", "name")
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(uscc__icontains=query.upper()))
    page = Paginator(enterprises, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "districts/home.html",
        {
            "district": district,
            "page": page,
            "query": query,
            "pool_count": PoolEntry.objects.filter(enterprise__district=district).count(),
        },
    )


@role_required(Role.DISTRICT)
def pool_list(request: HttpRequest) -> HttpResponse:
    """The district's candidate pool: readiness per condition and distance from passing."""
    filters = {
        "field_code": request.GET.get("field", ""),
        "readiness": request.GET.get("readiness", ""),
        "cultivation": request.GET.get("cultivation", ""),
        "query": request.GET.get("q", "").strip(),
    }
    entries = pool.district_pool(request.user.district_id, **filters)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "districts/pool.html",
        {
            "district": request.user.district,
            "page": page,
            "filters": filters,
            "querystring": params.urlencode(),
            "top_fields": [f for f in fields_in_force() if f.parent_id is None],
            "readiness_choices": Readiness.choices,
        },
    )


@require_POST
@role_required(Role.DISTRICT)
def pool_cultivation(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(PoolEntry, pk=pk, enterprise__district_id=request.user.district_id)
    mark = request.POST.get("cultivation") == "1"
    pool.pool_mark_cultivation(
        entry=entry, by=request.user, cultivation=mark, note=request.POST.get("note", "")
    )
    messages.success(
        request,
        (_("已将“%(name)s”列为重点培育。") if mark else _("已取消“%(name)s”的重点培育。"))
        % {"name": entry.enterprise.name},
    )
    return redirect(
        request.POST.get("next")
        if str(request.POST.get("next", "")).startswith("/district/")
        else "districts:pool"
    )
