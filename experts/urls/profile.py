"""The expert's own pages under /expert/ (included by experts/urls/__init__.py, namespace `experts`)."""

from django.urls import path

from experts.views import profile as self_views

urlpatterns = [
    path("profile/", self_views.profile, name="profile"),
    path("profile/relations/add/", self_views.relation_add, name="relation_add"),
    path("profile/relations/<int:pk>/remove/", self_views.relation_remove, name="relation_remove"),
    path("pledge/", self_views.pledge, name="pledge"),
]
