from django.urls import path

from workdays.api.calendar import WorkingDaysView

urlpatterns = [path("working-days/", WorkingDaysView.as_view(), name="api-working-days")]
