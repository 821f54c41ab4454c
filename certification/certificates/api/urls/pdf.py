from django.urls import path

from certification.certificates.api import pdf as certificate_pdf

urlpatterns = [
    path("<str:number>/pdf/", certificate_pdf.CertificatePdfView.as_view(), name="api-certificate-pdf"),
]
