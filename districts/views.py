from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required


@role_required(Role.DISTRICT)
def home(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    enterprises = district.enterprises.order_by("-created_at", "name")
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(uscc__icontains=query.upper()))
    page = Paginator(enterprises, 20).get_page(request.GET.get("page"))
    return render(request, "districts/home.html", {"district": district, "page": page, "query": query})
