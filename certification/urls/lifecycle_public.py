"""Public rename notices (更名公示), included at the site root with global names."""

from django.urls import path

from certification.views import lifecycle as views

urlpatterns = [
    path("rename-notices/", views.rename_notices, name="rename_notices"),
]
