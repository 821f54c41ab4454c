from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from certification import document_views, procedure_views

api_v1 = [
    path("auth/", include("accounts.api.urls")),
    path("reference/", include("certification.api.reference_urls")),
    path("eligibility/", include("certification.api.eligibility_urls")),
    path("calendar/", include("certification.api.calendar_urls")),
    path("", include("certification.api.publicity_urls")),
    path("filings/", include("districts.api.filing_urls")),
    path("certificates/", include("certification.api.certificate_urls")),
    path("applications/", include("certification.api.application_urls")),
    path("experts/", include("experts.api.urls_pool")),
    path("draws/", include("experts.api.urls_draws")),
    path("reviews/", include("experts.api.urls_reviews")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz/", account_views.healthz, name="healthz"),
    path("procedure/", procedure_views.procedure, name="procedure"),
    path("accounts/", include("accounts.urls")),
    path("self-check/", include("certification.self_check_urls")),
    path("", include("certification.public_urls")),
    path("", include("certification.certificate_urls")),
    path("", include("certification.lifecycle_public_urls")),
    path("", include("audits.public_urls")),
    path("", include("notifications.urls")),
    path("enterprise/", include("certification.urls")),
    path("documents/<int:doc_id>/download/", document_views.document_download, name="document_download"),
    path("district/", include("districts.urls")),
    path("expert/", include("experts.urls")),
    path("municipal/", include("audits.urls")),
    path("municipal/experts/", include(("experts.urls_admin", "experts_admin"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
