from django.urls import path

from certification.api import reference

urlpatterns = [
    path("fields/", reference.FieldListView.as_view(), name="api-fields"),
    path("document-kinds/", reference.DocumentKindListView.as_view(), name="api-document-kinds"),
]
