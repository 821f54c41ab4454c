"""The enterprise's certificate pages; included under /enterprise/ inside the `certification` namespace."""

from django.urls import path

from certification.lifecycle import views

urlpatterns = [
    path("certificates/", views.enterprise_certificates, name="certificates"),
    path("certificates/<int:pk>/monitoring/", views.monitoring_file, name="monitoring_file"),
    path("certificates/<int:pk>/changes/new/", views.change_new, name="change_new"),
    path("changes/<int:pk>/evidence/", views.enterprise_change_evidence, name="change_evidence"),
]
