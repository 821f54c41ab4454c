from django.urls import include, path

from audits import views

app_name = "audits"

urlpatterns = [
    path("", views.home, name="home"),
    path("calendar/", views.calendar, name="calendar"),
    path("", include("audits.urls.filings")),
    path("", include("audits.urls.office")),
]
