"""The municipal office's dashboards, targets, exports, history, reports and supervision.

Included under /municipal/ in the `audits` namespace (audits/urls/__init__.py).
"""

from django.urls import path

from audits.views import announcements as announcement_views
from audits.views import exports as export_views
from audits.views import office as office_views

urlpatterns = [
    path("announcements/", announcement_views.office_announcements, name="announcements"),
    path("announcements/<int:pk>/", announcement_views.office_announcement_edit, name="announcement_edit"),
    path(
        "announcements/<int:pk>/status/",
        announcement_views.office_announcement_status,
        name="announcement_status",
    ),
    path("district-phones/", announcement_views.office_district_phones, name="district_phones"),
    path("dashboard/", office_views.city_dashboard, name="dashboard"),
    path("dashboard/<str:code>/", office_views.district_dashboard, name="dashboard_district"),
    path("targets/", office_views.targets, name="targets"),
    path("exports/", export_views.office_exports, name="exports"),
    path("exports/<slug:name>.<slug:fmt>", export_views.office_export, name="export"),
    path("exports/jobs/<str:job_id>/", export_views.office_export_status, name="export_status"),
    path("exports/jobs/<str:job_id>/download/", export_views.office_export_download, name="export_download"),
    path("history/", office_views.history_search, name="history_search"),
    path("history/applications/<int:pk>/", office_views.history_application, name="history_application"),
    path("reports/", office_views.reports, name="reports"),
    path("reports/<int:pk>/", office_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/evidence/", office_views.report_evidence, name="report_evidence"),
    path("supervision/", office_views.supervision, name="supervision"),
    path("supervision/new/", office_views.supervision_new, name="supervision_new"),
    path("supervision/random/", office_views.supervision_random, name="supervision_random"),
    path("supervision/<int:pk>/", office_views.supervision_detail, name="supervision_detail"),
    path("supervision/draws/<int:pk>/", office_views.spot_check_draw, name="spot_check_draw"),
]
