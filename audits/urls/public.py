"""The public notices (通知公告) and report (举报) pages, included at the site root (global names, no namespace)."""

from django.urls import path

from audits.views import announcements as announcement_views
from audits.views import public as public_views

urlpatterns = [
    path("notices/", announcement_views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", announcement_views.notice_detail, name="notice_detail"),
    path("reports/new/", public_views.report_new, name="report_new"),
    path("reports/done/", public_views.report_done, name="report_done"),
    path("reports/track/", public_views.report_track, name="report_track"),
]
