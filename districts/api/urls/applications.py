from django.urls import path

from districts.api import views

urlpatterns = [
    path("<int:pk>/return/", views.ReturnView.as_view(), name="api-application-return"),
    path("<int:pk>/accept/", views.AcceptView.as_view(), name="api-application-accept"),
    path("<int:pk>/opinion/", views.OpinionView.as_view(), name="api-application-opinion"),
]
