"""Included at the root of config/urls.py: ``path("", include("notifications.urls"))``."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("municipal/operations/", views.operations, name="operations"),
    path("municipal/operations/failed/<int:pk>/retry/", views.failed_task_retry, name="failed_task_retry"),
]
