"""Publicity, objections and filing pages of the district working group (included under /district/)."""

from django.urls import path

from districts.views import publicity as views

urlpatterns = [
    path("publicity/", views.publicity_list, name="publicity"),
    path("publicity/new/", views.publicity_new, name="publicity_new"),
    path("publicity/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("publicity/<int:pk>/close/", views.notice_close, name="notice_close"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    # The district and the municipal office (objections_visible_to decides which objections).
    path("objections/<int:pk>/evidence/", views.objection_evidence, name="objection_evidence"),
    path("filings/", views.filings, name="filings"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/letter.pdf", views.filing_letter, name="filing_letter"),
]
