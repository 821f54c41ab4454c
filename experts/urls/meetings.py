from django.urls import path

from experts.views import draw_record as draw_record_views
from experts.views import meetings as meeting_views
from experts.views import reopen as reopen_views
from experts.views import replace as replace_views

# Included under /district/ in the `districts` namespace (districts/urls/__init__.py).
urlpatterns = [
    path("draws/<int:pk>/", draw_record_views.draw_record, name="draw_record"),
    path(
        "applications/<int:pk>/reviews/<int:review_pk>/reopen/",
        reopen_views.review_reopen,
        name="review_reopen",
    ),
    path(
        "applications/<int:pk>/reviews/<int:review_pk>/replace/",
        replace_views.review_replace,
        name="review_replace",
    ),
    path("applications/<int:pk>/meeting/", meeting_views.meeting, name="meeting"),
    path(
        "applications/<int:pk>/meeting/sheets.pdf",
        meeting_views.meeting_sheets_pdf,
        name="meeting_sheets_pdf",
    ),
    path(
        "applications/<int:pk>/meeting/reviews/<int:review_pk>/sheet/",
        meeting_views.sheet_enter,
        name="sheet_enter",
    ),
    path(
        "applications/<int:pk>/meeting/reviews/<int:review_pk>/absent/",
        meeting_views.sheet_absent,
        name="sheet_absent",
    ),
    path(
        "applications/<int:pk>/meeting/reviews/<int:review_pk>/sheet.pdf",
        meeting_views.sheet_file,
        name="sheet_file",
    ),
]
