from django.urls import path

from cadres.api import views

urlpatterns = [
    path("entries/", views.EntryList.as_view(), name="api-cadres-entries"),
    path("entries/<int:pk>/", views.EntryDetail.as_view(), name="api-cadres-entry"),
    path("entries/<int:pk>/records/", views.RecordList.as_view(), name="api-cadres-records"),
    path("entries/<int:pk>/development/", views.DevelopmentList.as_view(), name="api-cadres-development"),
    path("assessments/", views.AssessmentList.as_view(), name="api-cadres-assessments"),
    path("assessments/sheets/", views.AssessmentSheetList.as_view(), name="api-cadres-assessment-sheets"),
    path("assessments/<int:pk>/", views.AssessmentDetail.as_view(), name="api-cadres-assessment"),
    path(
        "assessments/<int:pk>/scores/", views.AssessmentScores.as_view(), name="api-cadres-assessment-scores"
    ),
    path(
        "assessments/<int:pk>/finalise/",
        views.AssessmentFinalise.as_view(),
        name="api-cadres-assessment-finalise",
    ),
]
