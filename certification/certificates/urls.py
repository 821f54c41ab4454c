"""Certificate pages, included at the site root (global names, no namespace)."""

from django.urls import path, re_path

from certification.certificates import views as certificate_views

urlpatterns = [
    path("verify/", certificate_views.certificate_verify_form, name="certificate_verify_form"),
    path("verify/<str:number>/", certificate_views.certificate_verify_page, name="certificate_verify_page"),
    path("certificates/<str:number>/pdf/", certificate_views.certificate_pdf, name="certificate_pdf"),
    path("district/certificates/issue/", certificate_views.certificate_issue, name="certificate_issue"),
    path("district/certificates/batch/", certificate_views.certificate_batch, name="certificate_batch"),
    re_path(
        r"^district/certificates/batch/(?P<job_id>[0-9a-f]{32})/$",
        certificate_views.certificate_batch_status,
        name="certificate_batch_status",
    ),
    re_path(
        r"^district/certificates/batch/(?P<job_id>[0-9a-f]{32})/download/$",
        certificate_views.certificate_batch_download,
        name="certificate_batch_download",
    ),
]
