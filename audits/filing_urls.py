"""The municipal office's filing pages (included under /municipal/ in the audits namespace)."""

from django.urls import path

from audits import filing_views

urlpatterns = [
    path("filings/", filing_views.filings, name="filings"),
    path("filings/<int:pk>/", filing_views.filing_detail, name="filing_detail"),
]
