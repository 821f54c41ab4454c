from django.urls import path

from districts.api import views

urlpatterns = [
    path("<int:pk>/return/", views.ReturnView.as_view(), name="api-application-return"),
    path("<int:pk>/accept/", views.AcceptView.as_view(), name="api-application-accept"),
    path("<int:pk>/opinion/", views.OpinionView.as_view(), name="api-application-opinion"),
    path("<int:pk>/refile/", views.RefileView.as_view(), name="api-application-refile"),
    path("<int:pk>/back-to-review/", views.BackToReviewView.as_view(), name="api-application-back-to-review"),
    path(
        "<int:pk>/back-to-publicity/",
        views.BackToPublicityView.as_view(),
        name="api-application-back-to-publicity",
    ),
]
