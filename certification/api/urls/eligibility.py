from django.urls import path

from certification.api import eligibility

urlpatterns = [
    path("check/", eligibility.EligibilityCheckView.as_view(), name="api-eligibility-check"),
]
