from django.urls import path

from cadres.api import views

urlpatterns = [
    path("entries/", views.EntryList.as_view(), name="api-cadres-entries"),
    path("entries/<int:pk>/", views.EntryDetail.as_view(), name="api-cadres-entry"),
    path("entries/<int:pk>/records/", views.RecordList.as_view(), name="api-cadres-records"),
    path("entries/<int:pk>/development/", views.DevelopmentList.as_view(), name="api-cadres-development"),
]
