"""A district official's dashboard, exports, history, reports (举报) and supervision checks.

Included under /district/ in the `districts` namespace (districts/urls/__init__.py).
"""

from django.urls import path

from audits.views import district as district_views
from audits.views import exports as export_views

urlpatterns = [
    path("dashboard/", district_views.dashboard, name="dashboard"),
    path("dashboard/<str:code>/", district_views.dashboard, name="dashboard_code"),
    path("exports/", export_views.district_exports, name="exports"),
    path("exports/<slug:name>.<slug:fmt>", export_views.district_export, name="export"),
    path("exports/jobs/<str:job_id>/", export_views.district_export_status, name="export_status"),
    path(
        "exports/jobs/<str:job_id>/download/", export_views.district_export_download, name="export_download"
    ),
    path("history/applications/<int:pk>/", district_views.history_application, name="history_application"),
    path("reports/", district_views.reports, name="reports"),
    path("reports/<int:pk>/", district_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/evidence/", district_views.report_evidence, name="report_evidence"),
    path("supervision/", district_views.supervision, name="supervision"),
    path("supervision/<int:pk>/", district_views.supervision_detail, name="supervision_detail"),
]
