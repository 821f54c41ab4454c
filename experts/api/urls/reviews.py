from django.urls import path

from experts.api import reviews

urlpatterns = [
    path("", reviews.ReviewListView.as_view(), name="api-reviews"),
    path("<int:pk>/", reviews.ReviewDetailView.as_view(), name="api-review"),
    path("<int:pk>/submit/", reviews.ReviewSubmitView.as_view(), name="api-review-submit"),
    path("<int:pk>/amend/", reviews.ReviewAmendView.as_view(), name="api-review-amend"),
    path("<int:pk>/reopen/", reviews.ReviewReopenView.as_view(), name="api-review-reopen"),
    path("<int:pk>/decline/", reviews.ReviewDeclineView.as_view(), name="api-review-decline"),
    path("<int:pk>/replace/", reviews.ReviewReplaceView.as_view(), name="api-review-replace"),
]
