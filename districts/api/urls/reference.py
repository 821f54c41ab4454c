from django.urls import path

from districts.api import reference

# Included under /api/v1/reference/ beside certification.api.urls.reference (config/urls.py).
urlpatterns = [path("districts/", reference.DistrictListView.as_view(), name="api-districts")]
