from django.urls import include, path

from districts import views
from districts.views import seals

app_name = "districts"

urlpatterns = [
    path("", views.home, name="home"),
    path("contact-phone/", views.contact_phone, name="contact_phone"),
    path("pool/", views.pool_list, name="pool"),
    path("pool/<int:pk>/cultivation/", views.pool_cultivation, name="pool_cultivation"),
    path("applications/", views.queue, name="queue"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/return/", views.application_return, name="application_return"),
    path("applications/<int:pk>/accept/", views.application_accept, name="application_accept"),
    path("applications/<int:pk>/draw/", views.application_draw, name="application_draw"),
    path("applications/<int:pk>/opinion/", views.application_opinion, name="application_opinion"),
    path("applications/<int:pk>/refile/", views.filing_return_refile, name="filing_return_refile"),
    path(
        "applications/<int:pk>/back-to-review/",
        views.filing_return_back_to_review,
        name="filing_return_back_to_review",
    ),
    path(
        "applications/<int:pk>/back-to-publicity/",
        views.filing_return_back_to_publicity,
        name="filing_return_back_to_publicity",
    ),
    path("seals/", seals.seal_list, name="seals"),
    path("seals/<str:code>/", seals.seal_detail, name="seal"),
    path("seals/<str:code>/preview.pdf", seals.seal_preview, name="seal_preview"),
    path("", include("districts.urls.publicity")),
    path("", include("certification.lifecycle.urls.district")),
    path("", include("experts.urls.meetings")),
    path("", include("audits.urls.district")),
]
