from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as account_urls
from accounts import views as account_views
from audits.views import announcements as announcement_views
from certification.api import registration as registration_api
from certification.applications.views import documents as document_views
from certification.applications.views import procedure as procedure_views
from certification.views import registration as registration_views

# accounts' pages, plus the registration of a new enterprise (certification's) as accounts:register.
account_patterns = [
    *account_urls.urlpatterns,
    path("register/", registration_views.register, name="register"),
]

api_v1 = [
    # Registration creates an enterprise: certification's, under accounts' paths and names.
    path("auth/register/", registration_api.RegisterView.as_view(), name="api-register"),
    path("auth/", include("accounts.api.urls")),
    path("reference/", include("districts.api.urls.reference")),
    path("reference/", include("certification.api.urls.reference")),
    path("eligibility/", include("certification.eligibility.api.urls")),
    path("calendar/", include("workdays.api.urls")),
    path("", include("certification.publicity.api.urls")),
    path("filings/", include("districts.api.urls.filings")),
    path("filings/", include("audits.api.urls")),
    path("certificates/", include("certification.certificates.api.urls")),
    path("changes/", include("certification.lifecycle.api.urls")),
    path("applications/", include("certification.applications.api.urls")),
    path("experts/", include("experts.api.urls.pool")),
    path("draws/", include("experts.api.urls.draws")),
    path("reviews/", include("experts.api.urls.reviews")),
    path("cadres/", include("cadres.api.urls")),
    path("listings/", include("listings.api.urls")),
]

urlpatterns = [
    # The public home page shows the office's notices (audits); accounts says where signed-in users land.
    path("", announcement_views.portal_home, name="home"),
    path("healthz/", account_views.healthz, name="healthz"),
    path("procedure/", procedure_views.procedure, name="procedure"),
    path("accounts/", include((account_patterns, "accounts"))),
    path("self-check/", include("certification.eligibility.urls")),
    path("", include("certification.publicity.urls")),
    path("", include("certification.certificates.urls")),
    path("", include("certification.lifecycle.urls.public")),
    path("", include("audits.urls.public")),
    path("", include("notifications.urls")),
    path("enterprise/", include("certification.applications.urls")),
    path("documents/<int:doc_id>/download/", document_views.document_download, name="document_download"),
    path("district/", include("districts.urls")),
    path("expert/", include("experts.urls")),
    path("municipal/", include("audits.urls")),
    path("cadres/", include("cadres.urls")),
    path("municipal/experts/", include(("experts.urls.admin", "experts_admin"))),
    path("listings/", include("listings.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
