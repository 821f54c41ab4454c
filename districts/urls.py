from django.urls import path

from districts import views

app_name = "districts"

urlpatterns = [
    path("", views.home, name="home"),
    path("pool/", views.pool_list, name="pool"),
    path("pool/<int:pk>/cultivation/", views.pool_cultivation, name="pool_cultivation"),
]
