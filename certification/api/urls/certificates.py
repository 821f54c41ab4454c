from django.urls import include, path

from certification.api import certificates

urlpatterns = [
    path("issue/", certificates.CertificateIssueView.as_view(), name="api-certificate-issue"),
    path("verify/<str:number>/", certificates.CertificateVerifyView.as_view(), name="api-certificate-verify"),
    path("", include("certification.api.urls.certificate_pdf")),
]
