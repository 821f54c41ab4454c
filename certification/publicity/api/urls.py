from django.urls import path

from certification.publicity.api import views as publicity

urlpatterns = [
    path("publicity/", publicity.PublicityView.as_view(), name="api-publicity"),
    path(
        "publicity/<int:pk>/objections/", publicity.ObjectionCreateView.as_view(), name="api-objection-create"
    ),
    path("publicity/<int:pk>/close/", publicity.NoticeCloseView.as_view(), name="api-notice-close"),
    path("objections/", publicity.ObjectionListView.as_view(), name="api-objections"),
    path(
        "objections/track/<str:tracking_number>/",
        publicity.ObjectionTrackView.as_view(),
        name="api-objection-track",
    ),
    path(
        "objections/<int:pk>/resolve/", publicity.ObjectionResolveView.as_view(), name="api-objection-resolve"
    ),
]
