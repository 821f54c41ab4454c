from django.urls import path

from districts.api import filings

urlpatterns = [
    path("", filings.FilingListCreateView.as_view(), name="api-filings"),
    path("<int:pk>/letter/", filings.FilingLetterView.as_view(), name="api-filing-letter"),
]
