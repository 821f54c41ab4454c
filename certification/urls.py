from django.urls import path

from certification import views

app_name = "certification"

urlpatterns = [
    path("", views.home, name="home"),
]
