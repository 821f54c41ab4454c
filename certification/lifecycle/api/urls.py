from django.urls import path

from certification.lifecycle.api import views

urlpatterns = [
    path("major/", views.MajorChangeReportView.as_view(), name="api-major-change-report"),
    path("<int:pk>/", views.ChangeDetailView.as_view(), name="api-change-detail"),
    path("<int:pk>/decide/", views.MajorChangeDecideView.as_view(), name="api-major-change-decide"),
]
