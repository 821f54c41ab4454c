from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required


@role_required(Role.ENTERPRISE)
def home(request: HttpRequest) -> HttpResponse:
    enterprise = request.user.enterprise
    colleagues = enterprise.users.order_by("username")
    return render(request, "certification/home.html", {"enterprise": enterprise, "colleagues": colleagues})
