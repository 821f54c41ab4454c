from django.urls import include, path

from certification.applications.api import documents
from certification.applications.api import pdf as form_pdf
from certification.applications.api import views as applications

urlpatterns = [
    path("", applications.ApplicationListCreateView.as_view(), name="api-applications"),
    path("reapply/", applications.ApplicationReapplyView.as_view(), name="api-application-reapply"),
    path("<int:pk>/", applications.ApplicationDetailView.as_view(), name="api-application"),
    path(
        "<int:pk>/eligibility/",
        applications.ApplicationEligibilityView.as_view(),
        name="api-application-eligibility",
    ),
    path("<int:pk>/submit/", applications.ApplicationSubmitView.as_view(), name="api-application-submit"),
    path("<int:pk>/documents/", documents.DocumentListCreateView.as_view(), name="api-application-documents"),
    path(
        "<int:pk>/documents/<int:doc_id>/",
        documents.DocumentDetailView.as_view(),
        name="api-application-document",
    ),
    path("<int:pk>/form-pdf/", form_pdf.ApplicationFormPdfView.as_view(), name="api-application-form-pdf"),
    # Actions of the district (intake, opinion) and of the draw live in their apps.
    path("", include("districts.api.urls.applications")),
    path("", include("experts.api.urls.applications")),
]
