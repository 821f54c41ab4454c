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
    path("entries/<int:pk>/assignments/", views.PairingList.as_view(), name="api-cadres-assignments"),
    path("entries/<int:pk>/survey/", views.SurveyDetail.as_view(), name="api-cadres-survey"),
    path("entries/<int:pk>/goals/", views.GoalList.as_view(), name="api-cadres-goals"),
    path("entries/<int:pk>/ledgers/", views.EntryLedgerList.as_view(), name="api-cadres-entry-ledgers"),
    path("entries/<int:pk>/evaluations/", views.EvaluationList.as_view(), name="api-cadres-evaluations"),
    path("ledgers/", views.LedgerList.as_view(), name="api-cadres-ledgers"),
    path("ledgers/<int:pk>/confirm/", views.LedgerConfirm.as_view(), name="api-cadres-ledger-confirm"),
    path("ledgers/<int:pk>/review/", views.LedgerReview.as_view(), name="api-cadres-ledger-review"),
    path("ledgers/<int:pk>/file/", views.LedgerFile.as_view(), name="api-cadres-ledger-file"),
    path("training/", views.TrainingList.as_view(), name="api-cadres-training"),
]
