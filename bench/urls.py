"""The product's URLs plus ``/bench/anchor/``: the bare list every scenario of bench/load.py is
compared with. Served only with ``bench.settings``; config/urls.py does not know it.

The anchor is a plain DRF ``ListAPIView`` of one indexed table: the first 20 enterprises by primary
key (an index scan of 20 rows), four columns, no pagination, no join, anonymous.
"""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from certification.models import Enterprise

ANCHOR_ROWS = 20


class AnchorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc", "district"]


class AnchorView(ListAPIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]  # JSON whatever the Accept header: no browsable API page
    serializer_class = AnchorSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Enterprise.objects.order_by("pk")[:ANCHOR_ROWS]


urlpatterns = [
    path("bench/anchor/", AnchorView.as_view(), name="bench-anchor"),
    path("", include("config.urls")),
]

# The product's error pages, which Django reads from the root URLconf only.
handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
