from django.urls import path

from cadres import views

app_name = "cadres"

urlpatterns = [
    path("", views.home, name="home"),
    path("add/", views.entry_add, name="entry_add"),
    path("import/", views.entry_import, name="entry_import"),
    path("export.xlsx", views.entry_export, name="entry_export"),
    path("ledgers/", views.ledgers, name="ledgers"),
    path("training/", views.training, name="training"),
    path("ledgers/<int:pk>/review/", views.ledger_review, name="ledger_review"),
    path("ledgers/<int:pk>/file/", views.ledger_file, name="ledger_file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/survey/", views.survey, name="survey"),
    path("<int:pk>/goals/", views.goal, name="goal"),
    path("<int:pk>/records/add/", views.record_add, name="record_add"),
    path("<int:pk>/development/", views.development, name="development"),
    path("<int:pk>/ledger/", views.ledger_submit, name="ledger_submit"),
    path("<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("assessments/", views.assessments, name="assessments"),
    path("assessments/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/sheets/", views.sheets, name="sheets"),
    path("assessments/sheets/<int:pk>/", views.sheet, name="sheet"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/finalise/", views.assessment_finalise, name="assessment_finalise"),
    path("ledgers/<int:pk>/confirm/", views.ledger_confirm, name="ledger_confirm"),
]
