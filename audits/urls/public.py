"""The public report (举报) pages, included at the site root (global names, no namespace)."""

from django.urls import path

from audits.views import public as public_views

urlpatterns = [
    path("reports/new/", public_views.report_new, name="report_new"),
    path("reports/done/", public_views.report_done, name="report_done"),
    path("reports/track/", public_views.report_track, name="report_track"),
]
