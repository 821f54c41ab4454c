"""The certificate PDF (第十条（6）), its seal and QR code, public verification, downloads and batch printing."""

from __future__ import annotations

import base64
import datetime as dt
import io
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import Resolver404, include, path, resolve, reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfReader

from accounts.tokens import issue as issue_token
from certification.certificates import pdf as certificate_pdf
from certification.certificates import services as certificates
from certification.certificates.api.pdf import CertificatePdfView
from certification.certificates.api.views import VerifyRateThrottle
from certification.certificates.tasks import batch_job, render_certificate_batch
from certification.models import Certificate, CertificateVersion, Field
from config.celery import app
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
BEIJING = dt.timezone(dt.timedelta(hours=8))
ENTERPRISE_NAME = "天津海河智能装备科技有限公司"
TITLE = "天津市市级高新技术企业证书"
A4_LANDSCAPE = (841.89, 595.28)  # points

# Until the lead adds the API path line to certification/certificates/api/urls/__init__.py, the API tests run
# through this urlconf, which is the site's plus exactly that line (see the `api` fixture).
urlpatterns = [
    path("api/v1/certificates/<str:number>/pdf/", CertificatePdfView.as_view(), name="api-certificate-pdf"),
    path("", include("config.urls")),
]


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and batch files go to a private folder per test, never var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Job state and rate-limit counters in a Redis database and key prefix of this test's own.

    Every test run on the machine shares Redis database 15, and other runs flush it (``cache.clear()``)
    as often as every second, which would erase a batch job's state in the middle of a test.
    """
    if settings.REDIS_URL:
        url = urlsplit(settings.REDIS_URL)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": urlunsplit(url._replace(path="/13")),
                "KEY_PREFIX": f"test-certificates-{uuid.uuid4().hex}",
            }
        }


def issue(official, enterprise, issued_on: str = "2026-12-01") -> Certificate:
    application = ApplicationFactory(
        enterprise=enterprise,
        status="approved",
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
    )
    return certificates.certificate_issue(
        by=official, application_ids=[application.pk], issued_on=D(issued_on)
    )[0]


@pytest.fixture
def certificate(enterprise_user, official) -> Certificate:
    enterprise = enterprise_user.enterprise
    enterprise.name = ENTERPRISE_NAME
    enterprise.save()
    return issue(official, enterprise)


@pytest.fixture
def heping_certificate(other_official) -> Certificate:
    return issue(other_official, EnterpriseFactory(district=district("120101")))


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def tiny_png() -> bytes:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((2, 2, 61, 61), outline=(221, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- The PDF ----------------------------------------------------------------------------------


def test_certificate_is_a4_landscape_with_real_text(certificate):
    pdf = certificate_pdf.render_certificate(certificate)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=1)
    text = reader.pages[0].extract_text()
    for expected in (
        TITLE,
        ENTERPRISE_NAME,
        certificate.uscc,
        certificate.number,
        certificate.field_name,
        "2026年12月1日",
        "2029年11月30日",
        "天津市滨海新区人民政府",
    ):
        assert expected in text, expected
    assert "已作废" not in text and "已撤销" not in text
    assert reader.pages[0]["/Resources"]["/Font"]  # drawn with embedded fonts
    assert not reader.pages[0].images  # no raster: the text is text, the QR code and seal are vector


def test_default_seal_when_the_district_has_none(certificate):
    context = certificate_pdf.certificate_context(certificate)
    seal = context["seal"]
    assert seal["kind"] == "default" and seal["src"] == ""
    svg = str(seal["svg"])
    assert svg.startswith("<svg") and "<circle" in svg and "<polygon" in svg and "#d00" in svg
    assert all(f">{char}</text>" in svg for char in "天津市滨海新区人民政府")  # the name around the ring
    html = render_to_string(certificate_pdf.CERTIFICATE_TEMPLATE, {"certificates": [context]})
    assert svg in html


def test_uploaded_png_seal_is_embedded(enterprise_user, official):
    png = tiny_png()
    binhai = district("120116")
    binhai.seal.save("seal.png", ContentFile(png))
    certificate = issue(official, enterprise_user.enterprise)  # issued after the upload: carries it
    seal = certificate_pdf.certificate_context(certificate)["seal"]
    assert seal["kind"] == "uploaded" and seal["svg"] == ""
    prefix = "data:image/png;base64,"
    assert seal["src"].startswith(prefix) and base64.b64decode(seal["src"][len(prefix) :]) == png
    page = PdfReader(io.BytesIO(certificate_pdf.render_certificate(certificate))).pages[0]
    assert len(page.images) == 1  # the seal; the QR code is vector


def test_uploaded_svg_seal_is_embedded_and_garbage_falls_back(certificate):
    binhai = certificate.district
    binhai.seal.save(
        "seal.svg",
        ContentFile(
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"/></svg>'
        ),
    )
    assert certificate_pdf.seal_for(binhai)["src"].startswith("data:image/svg+xml;base64,")
    binhai.seal.save("seal.png", ContentFile(b"GIF89a not a seal"))
    assert certificate_pdf.seal_for(binhai)["kind"] == "default"


def test_qr_code_encodes_the_public_verification_url(certificate):
    context = certificate_pdf.certificate_context(certificate)
    url = f"{settings.SITE_URL}/verify/{certificate.number}/"
    assert context["verify_url"] == url
    assert context["qr_src"] == certificate_pdf.qr_data_uri(url)
    assert context["qr_src"].startswith("data:image/svg+xml")
    assert url in pdf_text(certificate_pdf.render_certificate(certificate))[0]


def test_old_version_of_a_reissued_certificate_is_watermarked(certificate):
    CertificateVersion.objects.filter(certificate=certificate, version=1).update(superseded_at=timezone.now())
    CertificateVersion.objects.create(
        certificate=certificate, version=2, enterprise_name="天津海河新名称科技有限公司", reason="更名换发"
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        version=2, enterprise_name="天津海河新名称科技有限公司"
    )
    certificate.refresh_from_db()
    old = pdf_text(certificate_pdf.render_certificate(certificate, version=1))[0]
    assert "已作废" in old and ENTERPRISE_NAME in old
    current = pdf_text(certificate_pdf.render_certificate(certificate))[0]
    assert "已作废" not in current and "天津海河新名称科技有限公司" in current
    with pytest.raises(CertificateVersion.DoesNotExist):
        certificate_pdf.certificate_context(certificate, version=7)


def test_revoked_certificate_is_watermarked(certificate, official):
    certificates.certificate_revoke(certificate=certificate, by=official, reason="申请材料弄虚作假")
    certificate.refresh_from_db()
    assert "已撤销" in pdf_text(certificate_pdf.render_certificate(certificate))[0]


def test_batch_is_one_pdf_one_page_per_certificate_with_progress(
    certificate, official, monkeypatch, django_assert_max_num_queries
):
    others = [issue(official, EnterpriseFactory()) for _ in range(2)]
    monkeypatch.setattr(certificate_pdf, "BATCH_CHUNK", 2)
    qs = Certificate.objects.select_related("district").prefetch_related("versions").order_by("number")
    calls: list[tuple[int, int]] = []
    with django_assert_max_num_queries(2):  # the certificates and their versions, whatever the count
        pdf = certificate_pdf.render_batch(qs, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 3), (3, 3)]
    pages = pdf_text(pdf)
    assert len(pages) == 3
    for page, cert in zip(pages, [certificate, *others], strict=True):
        assert cert.number in page and TITLE in page
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_LANDSCAPE, abs=1)


def test_render_timings(certificate, official, capsys):
    """Measured, not asserted tightly: the numbers go into the module docstring of certificate_pdf."""
    batch = [certificate] + [issue(official, EnterpriseFactory()) for _ in range(19)]
    certificate_pdf.render_certificate(certificate)  # warm the fonts, as a running worker has them
    started = time.perf_counter()
    certificate_pdf.render_certificate(certificate)
    one = time.perf_counter() - started
    qs = (
        Certificate.objects.filter(pk__in=[c.pk for c in batch])
        .select_related("district")
        .prefetch_related("versions")
        .order_by("number")
    )
    started = time.perf_counter()
    pdf = certificate_pdf.render_batch(qs)
    twenty = time.perf_counter() - started
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 20
    with capsys.disabled():
        print(f"\n[certificate pdf] one: {one:.2f} s; batch of 20: {twenty:.2f} s, {len(pdf) // 1024} KiB")
    assert one < 10 and twenty < 60


# --- Public verification ----------------------------------------------------------------------


def test_verify_page_valid_expired_revoked(client, certificate, official, time_machine):
    time_machine.move_to(dt.datetime(2027, 3, 1, 10, 0, tzinfo=BEIJING))
    response = client.get(f"/verify/{certificate.number}/")
    body = response.content.decode()
    assert response.status_code == 200 and 'data-status="valid"' in body
    assert ENTERPRISE_NAME in body and "2026-12-01" in body and "2029-11-30" in body and "证书有效" in body
    time_machine.move_to(dt.datetime(2029, 12, 1, 10, 0, tzinfo=BEIJING))
    body = client.get(f"/verify/{certificate.number}/").content.decode()
    assert 'data-status="expired"' in body and "证书已过期" in body and "2029-11-30" in body
    certificates.certificate_revoke(certificate=certificate, by=official, reason="申请材料弄虚作假")
    body = client.get(f"/verify/{certificate.number.lower()}/").content.decode()
    assert 'data-status="revoked"' in body and "证书已撤销" in body
    assert "申请材料弄虚作假" not in body  # the reason is the district's record, not public


def test_verify_unknown_number_is_404_revealing_nothing(client, certificate):
    for number in ("TJ20261201169999", "TJ20261201160001X", "whatever"):
        response = client.get(f"/verify/{number}/")
        body = response.content.decode()
        assert response.status_code == 404
        assert ENTERPRISE_NAME not in body and certificate.uscc not in body and "data-status" not in body


def test_verify_form_redirects_to_the_result_page(client, certificate):
    response = client.get("/verify/", {"number": f" {certificate.number.lower()} "})
    assert response.status_code == 302 and response["Location"] == f"/verify/{certificate.number}/"
    assert client.get("/verify/").status_code == 200
    assert client.get("/verify/", {"number": "12345"}).status_code == 400


def test_verify_page_is_rate_limited_with_the_api(client, certificate, monkeypatch):
    monkeypatch.setattr(VerifyRateThrottle, "rate", "3/min")
    codes = [client.get(f"/verify/{certificate.number}/").status_code for _ in range(3)]
    limited = client.get(f"/verify/{certificate.number}/")
    assert codes == [200, 200, 200] and limited.status_code == 429
    assert ENTERPRISE_NAME not in limited.content.decode()
    # One counter per address for the page and the API.
    assert client.get(f"/api/v1/certificates/verify/{certificate.number}/").status_code == 429


# --- Downloads --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("enterprise_user", 200),
        ("other_enterprise_user", 404),
        ("official", 200),
        ("other_official", 404),
        ("municipal_user", 200),
        ("expert_user", 404),
    ],
)
def test_browser_download_visibility(client, request, certificate, person, expected):
    client.force_login(request.getfixturevalue(person))
    response = client.get(f"/certificates/{certificate.number}/pdf/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        assert f"certificate-{certificate.number}.pdf" in response["Content-Disposition"]


def test_browser_download_anonymous_goes_to_login(client, certificate):
    response = client.get(f"/certificates/{certificate.number}/pdf/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_browser_download_of_an_old_version(client, enterprise_user, certificate):
    client.force_login(enterprise_user)
    assert client.get(f"/certificates/{certificate.number}/pdf/?version=1").status_code == 200
    assert client.get(f"/certificates/{certificate.number}/pdf/?version=2").status_code == 404
    assert client.get(f"/certificates/{certificate.number}/pdf/?version=x").status_code == 404
    assert client.get("/certificates/TJ20261201169999/pdf/").status_code == 404


@pytest.fixture
def api(client, settings):
    try:
        resolve("/api/v1/certificates/TJ20261201160001/pdf/")
    except Resolver404:
        settings.ROOT_URLCONF = __name__

    def as_user(user):
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if user is not None:
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(user).key}"
        return client

    return as_user


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("enterprise_user", 200),
        ("other_enterprise_user", 404),
        ("official", 200),
        ("other_official", 404),
        ("municipal_user", 200),
        ("expert_user", 404),
        ("anonymous", 401),
    ],
)
def test_api_download_visibility(api, request, certificate, person, expected):
    response = api(request.getfixturevalue(person)).get(f"/api/v1/certificates/{certificate.number}/pdf/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert TITLE in pdf_text(response.content)[0]
    else:
        assert set(response.json()) == {"detail"}


def test_api_download_is_in_the_schema(api, municipal_user):
    schema = api(municipal_user).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/certificates/{number}/pdf/"]["get"]
    assert operation["responses"]["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }


# --- Batch printing ---------------------------------------------------------------------------


def test_batch_page_lists_the_districts_certificates_by_year(
    client, official, certificate, heping_certificate
):
    older = issue(official, EnterpriseFactory(), issued_on="2025-06-01")
    client.force_login(official)
    body = client.get("/district/certificates/batch/").content.decode()
    assert certificate.number in body and older.number not in body and heping_certificate.number not in body
    body = client.get("/district/certificates/batch/", {"year": 2025}).content.decode()
    assert older.number in body and certificate.number not in body


@pytest.mark.parametrize(
    ("person", "expected"),
    [("enterprise_user", 403), ("municipal_user", 403), ("expert_user", 403), ("anonymous", 302)],
)
def test_batch_page_is_for_district_officials(client, request, person, expected):
    user = request.getfixturevalue(person)
    if user is not None:
        client.force_login(user)
    assert client.get("/district/certificates/batch/").status_code == expected


def test_batch_post_enqueues_after_commit_and_shows_progress(
    client, official, other_official, certificate, heping_certificate, django_capture_on_commit_callbacks
):
    client.force_login(official)
    response = client.post("/district/certificates/batch/", {"certificates": [heping_certificate.pk]})
    assert response.status_code == 400  # another district's certificate: nothing is started
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/district/certificates/batch/", {"certificates": [certificate.pk]})
    assert response.status_code == 302 and len(callbacks) == 1
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert batch_job(job_id) == {
        "state": "queued",
        "done": 0,
        "total": 1,
        "district_id": official.district_id,
        "user_id": official.pk,
        "file": "",
    }
    body = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in body and "0 / 1" in body
    assert client.get(f"/district/certificates/batch/{job_id}/download/").status_code == 404  # not ready
    client.force_login(other_official)
    assert client.get(response["Location"]).status_code == 404
    assert client.get("/district/certificates/batch/" + uuid.uuid4().hex + "/").status_code == 404


def test_task_prints_only_the_jobs_district(official, certificate, heping_certificate):
    job_id = uuid.uuid4().hex
    cache.set(
        f"certificate-batch:{job_id}",
        {
            "state": "queued",
            "done": 0,
            "total": 2,
            "district_id": official.district_id,
            "user_id": official.pk,
            "file": "",
        },
        60,
    )
    result = render_certificate_batch.apply(args=[job_id, [certificate.pk, heping_certificate.pk]]).get()
    assert result == {"state": "done", "file": f"batches/{job_id}.pdf", "pages": 1}
    with default_storage.open(f"batches/{job_id}.pdf") as handle:
        pages = pdf_text(handle.read())
    assert len(pages) == 1 and certificate.number in pages[0]


# --- Batch printing with a real worker ----------------------------------------------------------


@pytest.fixture
def worker():
    """A real Celery worker on the Redis broker, consuming a queue of its own.

    The broker's Redis database is shared with other test runs on this machine; a private default queue
    keeps their workers (and their `purge()`) away from this test's tasks and this worker from theirs.
    """
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs the Redis broker"
    queue = f"test-certificates-{uuid.uuid4().hex[:12]}"
    previous_default = app.conf.task_default_queue
    previous_consume = app.amqp.queues._consume_from
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
        ) as w:
            yield w
    finally:
        app.conf.task_default_queue = previous_default
        app.amqp.queues._consume_from = previous_consume


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_batch_runs_on_a_real_worker_and_a_second_run_is_harmless(
    client, worker, official, certificate, media
):
    batch = [certificate] + [issue(official, EnterpriseFactory()) for _ in range(5)]
    client.force_login(official)
    response = client.post("/district/certificates/batch/", {"certificates": [c.pk for c in batch]})
    assert response.status_code == 302
    status_url = response["Location"]
    job_id = status_url.rstrip("/").rsplit("/", 1)[-1]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page = client.get(status_url)
        assert page.status_code == 200
        if batch_job(job_id)["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert batch_job(job_id)["state"] == "done", batch_job(job_id)
    body = client.get(status_url).content.decode()
    assert (
        "6 / 6" in body
        and "http-equiv" not in body
        and f"/district/certificates/batch/{job_id}/download/" in body
    )
    download = client.get(f"/district/certificates/batch/{job_id}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    first = PdfReader(io.BytesIO(download.content))
    assert len(first.pages) == 6
    texts = [p.extract_text() for p in first.pages]
    assert [next(c.number for c in batch if c.number in t) for t in texts] == sorted(c.number for c in batch)

    # A second run with the same job id (a redelivery, a retry, a manual re-run) replaces the same file.
    ids = [c.pk for c in batch]
    assert render_certificate_batch.delay(job_id, ids).get(timeout=90)["state"] == "done"
    assert batch_job(job_id)["state"] == "done" and batch_job(job_id)["done"] == 6
    assert sorted(p.name for p in (media / "batches").iterdir()) == [f"{job_id}.pdf"]
    again = client.get(f"/district/certificates/batch/{job_id}/download/")
    assert len(PdfReader(io.BytesIO(again.content)).pages) == 6
