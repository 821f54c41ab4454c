"""The municipal office's filing pages (included under /municipal/ in the audits namespace)."""

from django.urls import path

from audits.views import filings as filing_views

urlpatterns = [
    path("filings/", filing_views.filings, name="filings"),
    path("filings/<int:pk>/", filing_views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/letter.pdf", filing_views.filing_letter, name="filing_letter"),
    path("filings/<int:pk>/samples/", filing_views.filing_sample_new, name="filing_sample_new"),
    path(
        "filings/<int:pk>/samples/checks/<int:check_id>/",
        filing_views.filing_sample_check,
        name="filing_sample_check",
    ),
]
