from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from audits.forms import CalendarYearForm
from audits.selectors import districts_overview, expert_pool_counts
from core.web import form_errors
from districts.models import Filing, FilingStatus
from workdays.models import CalendarYear
from workdays.services import calendar_enter_year, preview_year


@role_required(Role.MUNICIPAL)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    districts = list(districts_overview())
    return render(
        request,
        "audits/home.html",
        {
            "districts": districts,
            "enterprise_total": sum(d.enterprise_count for d in districts),
            "experts": expert_pool_counts(),
            "pending_filings": Filing.objects.filter(status=FilingStatus.SUBMITTED).count(),
        },
    )


@role_required(Role.MUNICIPAL)
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The working calendar: which years are official, and the entry of a newly announced year."""
    form = CalendarYearForm(request.POST or None)
    moved = None
    preview = None
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        if request.POST.get("confirm") != "1":
            # First the month grid of what was typed; saving is a second, confirmed step.
            preview = preview_year(year, form.cleaned_data["entries"])
        else:
            with form_errors(form):
                moved = calendar_enter_year(year=year, text=form.cleaned_data["text"], by=request.user)
                messages.success(request, _("%(year)s 年工作日历已录入为官方安排。") % {"year": year})
    years = CalendarYear.objects.select_related("entered_by").order_by("-year")[:40]
    upcoming = timezone.localdate().year + 1
    return render(
        request,
        "audits/calendar.html",
        {
            "form": form,
            "years": years,
            "moved": moved,
            "preview": preview,
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
            "next_year_missing": not CalendarYear.objects.filter(year=upcoming, official=True).exists(),
            "upcoming": upcoming,
        },
    )
