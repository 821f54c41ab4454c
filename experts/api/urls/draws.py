from django.urls import path

from experts.api import draws

urlpatterns = [
    path("<int:pk>/", draws.DrawDetailView.as_view(), name="api-draw"),
    path("<int:pk>/replay/", draws.DrawReplayView.as_view(), name="api-draw-replay"),
    path("<int:pk>/pdf/", draws.DrawPdfView.as_view(), name="api-draw-pdf"),
]
