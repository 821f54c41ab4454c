from django.urls import path

from certification.eligibility import views as self_check_views

urlpatterns = [
    path("", self_check_views.self_check, name="self_check"),
]
