from django.urls import include, path

from certification.applications import views
from certification.applications.views import documents as document_views
from certification.applications.views import pdf as pdf_views

app_name = "certification"

urlpatterns = [
    path("", views.home, name="home"),
    path("self-assessment/", views.self_assessment, name="self_assessment"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/reapply/", views.application_reapply, name="application_reapply"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/step/<slug:step>/", views.application_step, name="application_step"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/submitted/", views.application_submitted, name="application_submitted"),
    path(
        "applications/<int:pk>/receipt.pdf", pdf_views.submission_receipt_pdf, name="submission_receipt_pdf"
    ),
    path("applications/<int:pk>/documents/", document_views.documents, name="application_documents"),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/delete/",
        document_views.document_delete,
        name="document_delete",
    ),
    path("applications/<int:pk>/form.pdf", pdf_views.application_form_pdf, name="application_form_pdf"),
    path("", include("certification.lifecycle.urls.enterprise")),
]
