"""/api/v1/experts/: the office's pool, the expert's pledge and own relations (experts.api.pool)."""

from django.urls import path

from experts.api import pool

urlpatterns = [
    path("", pool.ExpertListView.as_view(), name="api-experts"),
    path("<int:pk>/", pool.ExpertDetailView.as_view(), name="api-expert"),
    path("pledge/", pool.PledgeView.as_view(), name="api-expert-pledge"),
    path("me/relations/", pool.MyRelationListView.as_view(), name="api-my-relations"),
    path("me/relations/<int:pk>/", pool.MyRelationDetailView.as_view(), name="api-my-relation"),
]
