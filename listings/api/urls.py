from django.urls import path

from listings.api import views

# Included under /api/v1/listings/ (config/urls.py).
urlpatterns = [
    path("entries/", views.EntryListView.as_view(), name="api-listing-entries"),
    path("entries/<int:pk>/", views.EntryDetailView.as_view(), name="api-listing-entry"),
    path("entries/<int:pk>/events/", views.EventAddView.as_view(), name="api-listing-events"),
    path("targets/", views.TargetListView.as_view(), name="api-listing-targets"),
    path("progress/", views.ProgressView.as_view(), name="api-listing-progress"),
    path("assessment/", views.AssessmentView.as_view(), name="api-listing-assessment"),
    path("activities/", views.ActivityListView.as_view(), name="api-listing-activities"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="api-listing-activity"),
]
