from django.urls import path

from accounts.api import views

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("tokens/", views.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:token_id>/", views.TokenRevokeView.as_view(), name="api-token-revoke"),
]
