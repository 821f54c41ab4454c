from django.urls import path

from districts import views

app_name = "districts"

urlpatterns = [
    path("", views.home, name="home"),
]
