from django.urls import path

from experts.views import reviews as review_views

# Included under /expert/reviews/ in the `experts` namespace (experts/urls/__init__.py).
urlpatterns = [
    path("", review_views.review_list, name="review_list"),
    path("<int:pk>/", review_views.review_detail, name="review_detail"),
    path("<int:pk>/decline/", review_views.review_decline, name="review_decline"),
]
