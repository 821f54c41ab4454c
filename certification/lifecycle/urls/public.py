"""Public rename notices (更名公示), included at the site root with global names."""

from django.urls import path

from certification.lifecycle import views

urlpatterns = [
    path("rename-notices/", views.rename_notices, name="rename_notices"),
]
