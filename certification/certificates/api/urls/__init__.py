from django.urls import include, path

from certification.certificates.api import views as certificates

urlpatterns = [
    path("issue/", certificates.CertificateIssueView.as_view(), name="api-certificate-issue"),
    path("verify/<str:number>/", certificates.CertificateVerifyView.as_view(), name="api-certificate-verify"),
    path("", include("certification.certificates.api.urls.pdf")),
]
