from django.urls import path

from certification.views import self_check as self_check_views

urlpatterns = [
    path("", self_check_views.self_check, name="self_check"),
]
