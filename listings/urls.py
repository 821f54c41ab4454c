from django.urls import path

from listings import views

app_name = "listings"

# Included under /listings/ (config/urls.py).
urlpatterns = [
    path("", views.entry_list, name="entries"),
    path("add/", views.entry_add, name="entry_add"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
    path("events/<int:pk>/evidence/", views.evidence_download, name="evidence"),
    path("institutions/", views.institutions, name="institutions"),
    path("targets/", views.targets, name="targets"),
    path("progress/", views.progress, name="progress"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/pdf/", views.assessment_pdf, name="assessment_pdf"),
    path("assessment/xlsx/", views.assessment_xlsx, name="assessment_xlsx"),
    path("import/", views.entry_import, name="import"),
    path("export/", views.entry_export, name="export"),
    path("activities/", views.activities, name="activities"),
    path("activities/add/", views.activity_add, name="activity_add"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
]
