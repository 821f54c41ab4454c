from django.urls import include, path

from experts import views

app_name = "experts"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("experts.urls.profile")),
    path("reviews/", include("experts.urls.reviews")),
]
