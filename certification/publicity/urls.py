"""Public pages of publicity and objections, included at the site root (global names, no namespace)."""

from django.urls import path

from certification.publicity import views as public_views

urlpatterns = [
    path("publicity/", public_views.publicity_list, name="publicity_list"),
    path("publicity/<int:pk>/", public_views.publicity_notice, name="publicity_notice"),
    path("publicity/<int:pk>/pdf/", public_views.publicity_notice_pdf, name="publicity_notice_pdf"),
    path("publicity/<int:pk>/objection/", public_views.objection_new, name="objection_new"),
    path("publicity/<int:pk>/objection/done/", public_views.objection_done, name="objection_done"),
    path("objections/track/", public_views.objection_track, name="objection_track"),
]
