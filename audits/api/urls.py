from django.urls import path

from audits.api import filings

# Included under /api/v1/filings/ beside districts.api.urls.filings (config/urls.py).
urlpatterns = [
    path("<int:pk>/decide/", filings.FilingDecideView.as_view(), name="api-filing-decide"),
]
