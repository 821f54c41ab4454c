"""The municipal office's expert pool pages, mounted at /municipal/experts/ (namespace `experts_admin`)."""

from django.urls import path

from experts.views import admin as admin_views

urlpatterns = [
    path("", admin_views.expert_list, name="list"),
    path("new/", admin_views.expert_new, name="create"),
    path("<int:pk>/edit/", admin_views.expert_edit, name="edit"),
    path("<int:pk>/active/", admin_views.expert_toggle_active, name="toggle_active"),
    path("import/", admin_views.expert_import, name="import"),
    path("export/", admin_views.expert_export, name="export"),
]
