from django.urls import path

from certification.eligibility.api import views as eligibility

urlpatterns = [
    path("check/", eligibility.EligibilityCheckView.as_view(), name="api-eligibility-check"),
]
