"""The district's supervision of certified enterprises; included under /district/ in the `districts` namespace."""

from django.urls import path

from certification.lifecycle import views

urlpatterns = [
    path("certificates/", views.district_certificates, name="certificates"),
    path("certificates/<int:pk>/revoke/", views.revoke, name="certificate_revoke"),
    path("monitoring/missing/", views.monitoring_missing, name="monitoring_missing"),
    path("changes/", views.district_changes, name="changes"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("changes/<int:pk>/publish/", views.change_publish, name="change_publish"),
    path("changes/<int:pk>/complete/", views.change_complete, name="change_complete"),
    path("changes/<int:pk>/reject/", views.change_reject, name="change_reject"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("changes/<int:pk>/evidence/", views.district_change_evidence, name="change_evidence"),
]
