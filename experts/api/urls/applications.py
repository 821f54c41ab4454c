from django.urls import path

from experts.api import draws

urlpatterns = [
    path("<int:pk>/draw-experts/", draws.DrawExpertsView.as_view(), name="api-application-draw-experts"),
]
