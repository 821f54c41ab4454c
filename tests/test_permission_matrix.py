"""The permission matrix ("Proof and hardening", item 2): every URL of the portal against the nine
people of docs/domain.md (Actors), with the answer each must get.

- ``MATRIX`` is the table: route → method → person → expected answer. A route the resolver knows and
  the table does not (or the other way round) fails ``test_every_url_is_in_the_matrix``, so no new
  page ships unchecked: add its row, with the answer each person must get.
- ``KWARGS`` fills the route's parameters from the world of ``tests/permission_fixtures.py`` (one
  enterprise whose applications went through the whole life, another enterprise in another district).
- Answers follow docs/api.md and the browser's conventions: anonymous → 302 to the login page (browser)
  or 401 (API); a role that may never do this → 403; an object the caller may not see → 404. A POST is
  sent with an empty or minimal body: for an authorised person a 400/409 (or the redirect of a form
  that did nothing) proves they got past authorisation.
- Where a role may never act AND cannot see the object, the answer is 404: an object the caller may
  not see is a 404 (docs/api.md, status codes; docs/layout.md, `permissions.py`: the other enterprise, other
  districts' officials and experts off the panel get 404), so a 403 never confirms that the object exists.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock
from urllib.parse import unquote

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import permission_fixtures as pf

PEOPLE = pf.PEOPLE
LOGIN = "302→login"  # a redirect to /accounts/login/?next=<the page>
REDIRECT = "302"  # a redirect anywhere but the login page (a form's post/redirect/get, a home page)

# Django's admin has its own login and is checked separately (test_admin_refuses_the_eight_people).
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")


# --- The routes of the project ------------------------------------------------------------------


def walk(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str | None]]:
    """(full route, namespaced name) of every URL pattern, e.g. ("district/applications/<int:pk>/", …)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else None


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")  # <int:pk> of a path, (?P<job_id>…) of a regex


def project_routes() -> dict[str, str | None]:
    return {route: name for route, name in walk() if not route.lstrip("^").startswith(SKIPPED_PREFIXES)}


NAMES = project_routes()  # route → URL name, for reverse(); the test below walks the resolver afresh


def row(
    enterprise: Any,
    other_enterprise: Any,
    official: Any,
    other_official: Any,
    expert_on: Any,
    expert_off: Any,
    municipal: Any,
    anonymous: Any,
    *,
    expert_unpledged: Any = None,
) -> dict[str, Any]:
    """One line of the table, in the column order of PEOPLE.

    ``expert_unpledged`` (on the panel, no pledge this year) answers as ``expert_on`` unless given:
    every cell is still requested and checked, so a route where the pledge changes the answer must
    name it (application material: 403 before the pledge, 第十三条).
    """
    answers = (
        enterprise,
        other_enterprise,
        official,
        other_official,
        expert_on,
        expert_off,
        expert_on if expert_unpledged is None else expert_unpledged,
        municipal,
        anonymous,
    )
    return dict(zip(PEOPLE, answers, strict=True))


# --- How each route's parameters are filled from the world ------------------------------------------


def pk(name: str) -> Callable[[pf.World], int]:
    return lambda world: world[name].pk


NUMBER = {"number": lambda world: world["certificate"].number}
DISTRICT_CODE = {"code": lambda world: world["binhai"].code}  # the world's district (120116)

KWARGS: dict[str, dict[str, Any]] = {
    "accounts/password/reset/<uidb64>/<token>/": {"uidb64": "MQ", "token": "set-password"},
    "publicity/<int:pk>/": {"pk": pk("notice")},
    "publicity/<int:pk>/pdf/": {"pk": pk("notice")},
    "publicity/<int:pk>/objection/": {"pk": pk("notice")},
    "publicity/<int:pk>/objection/done/": {"pk": pk("notice")},
    "verify/<str:number>/": NUMBER,
    "certificates/<str:number>/pdf/": NUMBER,
    "^district/certificates/batch/(?P<job_id>[0-9a-f]{32})/$": {"job_id": pf.CERT_BATCH_JOB},
    "^district/certificates/batch/(?P<job_id>[0-9a-f]{32})/download/$": {"job_id": pf.CERT_BATCH_JOB},
    "notifications/<int:pk>/read/": {"pk": pk("notification")},
    "municipal/operations/failed/<int:pk>/retry/": {"pk": pk("failed_task")},
    "cadres/<int:pk>/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/records/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/development/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/assignments/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/survey/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/goals/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/ledgers/": {"pk": pk("help_entry")},
    "api/v1/cadres/entries/<int:pk>/evaluations/": {"pk": pk("help_entry")},
    "api/v1/cadres/ledgers/<int:pk>/confirm/": {"pk": pk("help_ledger")},
    "api/v1/cadres/ledgers/<int:pk>/review/": {"pk": pk("help_ledger")},
    "api/v1/cadres/ledgers/<int:pk>/file/": {"pk": pk("help_ledger")},
    "cadres/<int:pk>/remove/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/assign/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/survey/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/goals/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/records/add/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/development/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/ledger/": {"pk": pk("help_entry")},
    "cadres/<int:pk>/evaluate/": {"pk": pk("help_entry")},
    "cadres/ledgers/<int:pk>/review/": {"pk": pk("help_ledger")},
    "cadres/ledgers/<int:pk>/file/": {"pk": pk("help_ledger")},
    "cadres/assessments/<int:pk>/": {"pk": pk("assessment")},
    "cadres/assessments/<int:pk>/finalise/": {"pk": pk("assessment")},
    "cadres/assessments/sheets/<int:pk>/": {"pk": pk("assessment_sheet")},
    "api/v1/cadres/assessments/<int:pk>/": {"pk": pk("assessment")},
    "api/v1/cadres/assessments/<int:pk>/scores/": {"pk": pk("assessment")},
    "api/v1/cadres/assessments/<int:pk>/finalise/": {"pk": pk("assessment")},
    "cadres/ledgers/<int:pk>/confirm/": {"pk": pk("help_ledger")},
    # The enterprise's pages: the draft for the pages that edit, the application under review to read.
    "enterprise/applications/<int:pk>/": {"pk": pk("app_review")},
    "enterprise/applications/<int:pk>/step/<slug:step>/": {"pk": pk("app_draft"), "step": "facts"},
    "enterprise/applications/<int:pk>/submit/": {"pk": pk("app_draft")},
    "enterprise/applications/<int:pk>/submitted/": {"pk": pk("app_review")},
    "enterprise/applications/<int:pk>/receipt.pdf": {"pk": pk("app_review")},
    "enterprise/applications/<int:pk>/documents/": {"pk": pk("app_draft")},
    "enterprise/applications/<int:pk>/documents/<int:doc_id>/delete/": {
        "pk": pk("app_draft"),
        "doc_id": pk("doc_draft"),
    },
    "enterprise/applications/<int:pk>/form.pdf": {"pk": pk("app_review")},
    "enterprise/certificates/<int:pk>/monitoring/": {"pk": pk("certificate")},
    "enterprise/certificates/<int:pk>/changes/new/": {"pk": pk("certificate")},
    "enterprise/changes/<int:pk>/evidence/": {"pk": pk("change")},
    "documents/<int:doc_id>/download/": {"doc_id": pk("doc_review")},
    # The district's pages.
    "district/pool/<int:pk>/cultivation/": {"pk": pk("pool_entry")},
    "district/applications/<int:pk>/": {"pk": pk("app_review")},
    "district/applications/<int:pk>/return/": {"pk": pk("app_review")},
    "district/applications/<int:pk>/accept/": {"pk": pk("app_review")},
    "district/applications/<int:pk>/draw/": {"pk": pk("app_review")},
    "district/draws/<int:pk>/": {"pk": pk("draw")},
    "district/applications/<int:pk>/opinion/": {"pk": pk("app_review")},
    "district/applications/<int:pk>/refile/": {"pk": pk("app_review")},
    "district/applications/<int:pk>/back-to-review/": {"pk": pk("app_review")},
    "district/applications/<int:pk>/back-to-publicity/": {"pk": pk("app_review")},
    "district/publicity/<int:pk>/": {"pk": pk("notice")},
    "district/publicity/<int:pk>/close/": {"pk": pk("notice")},
    "district/objections/<int:pk>/resolve/": {"pk": pk("objection")},
    "district/objections/<int:pk>/evidence/": {"pk": pk("objection")},
    "district/certificates/<int:pk>/revoke/": {"pk": pk("certificate")},
    "district/changes/<int:pk>/": {"pk": pk("change")},
    "api/v1/changes/<int:pk>/": {"pk": pk("change")},
    "api/v1/changes/<int:pk>/decide/": {"pk": pk("change")},
    "district/changes/<int:pk>/publish/": {"pk": pk("change")},
    "district/changes/<int:pk>/complete/": {"pk": pk("change")},
    "district/changes/<int:pk>/reject/": {"pk": pk("change")},
    "district/changes/<int:pk>/decide/": {"pk": pk("change")},
    "district/changes/<int:pk>/evidence/": {"pk": pk("change")},
    "district/applications/<int:pk>/meeting/": {"pk": pk("app_meeting")},
    "district/applications/<int:pk>/meeting/sheets.pdf": {"pk": pk("app_meeting")},
    "district/applications/<int:pk>/meeting/reviews/<int:review_pk>/sheet/": {
        "pk": pk("app_meeting"),
        "review_pk": pk("open_meeting_review"),
    },
    "district/applications/<int:pk>/meeting/reviews/<int:review_pk>/absent/": {
        "pk": pk("app_meeting"),
        "review_pk": pk("open_meeting_review"),
    },
    "district/applications/<int:pk>/meeting/reviews/<int:review_pk>/sheet.pdf": {
        "pk": pk("app_meeting"),
        "review_pk": pk("sheet_review"),
    },
    "district/dashboard/<str:code>/": DISTRICT_CODE,
    "district/seals/<str:code>/": DISTRICT_CODE,
    "district/seals/<str:code>/preview.pdf": DISTRICT_CODE,
    "district/exports/<slug:name>.<slug:fmt>": {"name": "applications", "fmt": "csv"},
    "district/exports/jobs/<str:job_id>/": {"job_id": pf.EXPORT_JOB_DISTRICT},
    "district/exports/jobs/<str:job_id>/download/": {"job_id": pf.EXPORT_JOB_DISTRICT},
    "district/history/applications/<int:pk>/": {"pk": pk("app_review")},
    "district/reports/<int:pk>/": {"pk": pk("report")},
    "district/reports/<int:pk>/evidence/": {"pk": pk("report")},
    "district/supervision/<int:pk>/": {"pk": pk("check")},
    # The expert's pages.
    "expert/profile/relations/<int:pk>/remove/": {"pk": pk("relation")},
    "expert/reviews/<int:pk>/": {"pk": pk("review")},
    "expert/reviews/<int:pk>/decline/": {"pk": pk("review")},
    # The municipal office's pages.
    "municipal/filings/<int:pk>/": {"pk": pk("filing")},
    "municipal/filings/<int:pk>/letter.pdf": {"pk": pk("filing")},
    "municipal/filings/<int:pk>/samples/": {"pk": pk("filing")},
    "municipal/filings/<int:pk>/samples/checks/<int:check_id>/": {
        "pk": pk("filing"),
        "check_id": pk("filing_check"),
    },
    "district/filings/<int:pk>/": {"pk": pk("filing")},
    "district/filings/<int:pk>/letter.pdf": {"pk": pk("filing")},
    "municipal/dashboard/<str:code>/": DISTRICT_CODE,
    "municipal/exports/<slug:name>.<slug:fmt>": {"name": "applications", "fmt": "csv"},
    "municipal/exports/jobs/<str:job_id>/": {"job_id": pf.EXPORT_JOB_OFFICE},
    "municipal/exports/jobs/<str:job_id>/download/": {"job_id": pf.EXPORT_JOB_OFFICE},
    "municipal/history/applications/<int:pk>/": {"pk": pk("app_review")},
    "municipal/reports/<int:pk>/": {"pk": pk("report")},
    "municipal/announcements/<int:pk>/": {"pk": pk("announcement")},
    "municipal/announcements/<int:pk>/status/": {"pk": pk("announcement")},
    "notices/<int:pk>/": {"pk": pk("announcement")},
    "municipal/reports/<int:pk>/evidence/": {"pk": pk("report")},
    "municipal/supervision/<int:pk>/": {"pk": pk("check")},
    "municipal/supervision/draws/<int:pk>/": {"pk": pk("spot_draw")},
    "municipal/experts/<int:pk>/edit/": {"pk": pk("expert_off")},
    "municipal/experts/<int:pk>/active/": {"pk": pk("expert_off")},
    # The API.
    "api/v1/publicity/<int:pk>/objections/": {"pk": pk("notice")},
    "api/v1/publicity/<int:pk>/close/": {"pk": pk("notice")},
    "api/v1/objections/track/<str:tracking_number>/": {
        "tracking_number": lambda world: world["objection"].tracking_number
    },
    "api/v1/objections/<int:pk>/resolve/": {"pk": pk("objection")},
    "api/v1/filings/<int:pk>/decide/": {"pk": pk("filing")},
    "api/v1/filings/<int:pk>/letter/": {"pk": pk("filing")},
    "api/v1/certificates/verify/<str:number>/": NUMBER,
    "api/v1/auth/tokens/<str:token_id>/": {
        "token_id": lambda world: hashlib.sha256(world.tokens["enterprise"].encode()).hexdigest()[:16]
    },
    "api/v1/certificates/<str:number>/pdf/": NUMBER,
    "api/v1/applications/<int:pk>/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/eligibility/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/submit/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/documents/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/documents/<int:doc_id>/": {
        "pk": pk("app_review"),
        "doc_id": pk("doc_review"),
    },
    "api/v1/applications/<int:pk>/form-pdf/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/return/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/accept/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/opinion/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/refile/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/back-to-review/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/back-to-publicity/": {"pk": pk("app_review")},
    "api/v1/applications/<int:pk>/draw-experts/": {"pk": pk("app_review")},
    "api/v1/experts/<int:pk>/": {"pk": pk("expert_off")},
    "api/v1/experts/me/relations/<int:pk>/": {"pk": pk("relation")},
    "api/v1/draws/<int:pk>/": {"pk": pk("draw")},
    "api/v1/draws/<int:pk>/replay/": {"pk": pk("draw")},
    "api/v1/draws/<int:pk>/pdf/": {"pk": pk("draw")},
    "api/v1/reviews/<int:pk>/": {"pk": pk("review")},
    "api/v1/reviews/<int:pk>/submit/": {"pk": pk("review")},
    "api/v1/reviews/<int:pk>/amend/": {"pk": pk("review")},
    "api/v1/reviews/<int:pk>/decline/": {"pk": pk("review")},
    "api/v1/reviews/<int:pk>/reopen/": {"pk": pk("review")},
    "api/v1/reviews/<int:pk>/replace/": {"pk": pk("review")},
    "listings/<int:pk>/": {"pk": pk("listing_entry")},
    "listings/events/<int:pk>/evidence/": {"pk": pk("listing_event")},
    "api/v1/listings/entries/<int:pk>/": {"pk": pk("listing_entry")},
    "api/v1/listings/entries/<int:pk>/events/": {"pk": pk("listing_entry")},
    "listings/activities/<int:pk>/": {"pk": pk("listing_activity")},
    "api/v1/listings/activities/<int:pk>/": {"pk": pk("listing_activity")},
    "district/applications/<int:pk>/reviews/<int:review_pk>/replace/": {
        "pk": pk("app_review"),
        "review_pk": pk("review"),
    },
    "district/applications/<int:pk>/reviews/<int:review_pk>/reopen/": {
        "pk": pk("app_review"),
        "review_pk": pk("review"),
    },
}

# Minimal bodies where an empty one would stop before the object is looked up (so the row would not
# show who may act on the object); everything else is sent empty.
BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("district/applications/<int:pk>/accept/", "POST"): {"confirm": "1"},
    ("district/applications/<int:pk>/opinion/", "POST"): {"recommend": "1"},
    ("district/applications/<int:pk>/draw/", "POST"): {"confirm": "1"},
}
# API views that read multipart only (an empty JSON body would be a 415 before anything else).
MULTIPART = {
    "api/v1/applications/<int:pk>/documents/",
    "api/v1/publicity/<int:pk>/objections/",
    "api/v1/changes/major/",
    "api/v1/listings/entries/<int:pk>/events/",
}


def url_of(route: str, name: str | None, world: pf.World) -> str:
    spec = KWARGS.get(route, {})
    kwargs = {key: value(world) if callable(value) else value for key, value in spec.items()}
    if name:
        return reverse(name, kwargs=kwargs)
    # A pattern without a name: put the values into the route itself.
    return "/" + PARAMETER.sub(lambda m: str(kwargs[m.group(1) or m.group(2)]), route).lstrip("^").rstrip("$")


def send(client: Client, world: pf.World, route: str, method: str, person: str, url: str):  # type: ignore[no-untyped-def]
    """The request of ``person``: a session for the browser, a token for the API, nothing when anonymous."""
    api = route.startswith("api/")
    user = world.people[person]
    headers: dict[str, str] = {}
    if user is not None:
        if api:
            headers["HTTP_AUTHORIZATION"] = f"Token {world.tokens[person]}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[person]
    body = BODIES.get((route, method), {})
    if method == "GET":
        return client.get(url, **headers)
    if api and route not in MULTIPART:
        return client.generic(method, url, json.dumps(body), content_type="application/json", **headers)
    if method == "POST":
        return client.post(url, body, **headers)
    return client.generic(method, url, **headers)


def answer_of(response) -> Any:  # type: ignore[no-untyped-def]
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if response["Location"].startswith("/accounts/login/") else REDIRECT
    return response.status_code


class _StubHTML:
    def __init__(self, *, string: str, **kwargs: Any) -> None:
        assert string

    def write_pdf(self, **kwargs: Any) -> bytes:
        return pf.pdf("stub")


# --- The world, once per module --------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    media = tmp_path_factory.mktemp("matrix-media")
    overrides = override_settings(
        MEDIA_ROOT=str(media),
        STORAGES={
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media)},
            },
        },
        # A cache of this process only: the rate limits and the job states of one test stay in it.
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "matrix"}
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    overrides.enable()
    # WeasyPrint's layout takes about a second a PDF and proves nothing about who may download it: the
    # templates still render (a template error is still a 500), the layout is a stub.
    pdf_layout = mock.patch("core.pdf.HTML", _StubHTML)
    pdf_layout.start()
    traveller = time_machine.travel(pf.WORLD_NOW, tick=True)
    traveller.start()
    try:
        with django_db_blocker.unblock():
            # Rolled back when the module ends; every test runs in a savepoint inside it (`db`).
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                yield pf.build_world()
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
    finally:
        traveller.stop()
        pdf_layout.stop()
        overrides.disable()


@pytest.fixture(scope="module")
def module_client(world) -> Client:  # type: ignore[no-untyped-def]
    # One client for the module: each new Client loads the middleware again, and WhiteNoise's scan of
    # the static files alone costs ~40 ms a request.
    return Client()


@pytest.fixture
def fresh(db, world):  # type: ignore[no-untyped-def]
    cache.clear()  # rate limits count per address: each request starts from zero
    pf.seed_jobs(world)
    return world


@pytest.fixture
def client_(module_client: Client) -> Client:
    module_client.cookies.clear()  # no session, CSRF or language cookie left by the previous request
    return module_client


# --- The table --------------------------------------------------------------------------------------
# Columns: enterprise, other_enterprise, official, other_official, expert_on, expert_off, municipal,
# anonymous, and the keyword expert_unpledged where it differs from expert_on (tests/permission_fixtures.py
# PEOPLE). Methods: GET for every route, POST/PATCH/DELETE
# where the view handles them. A route with a GET row only is a read (list, detail, download, PDF):
# it refuses a POST with 405 (`test_routes_without_a_post_row_refuse_post`), so it carries no row for POST.

# fmt: off
MATRIX: dict[str, dict[str, dict[str, Any]]] = {
    "": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  200),
    },
    "^district/certificates/batch/(?P<job_id>[0-9a-f]{32})/$": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "^district/certificates/batch/(?P<job_id>[0-9a-f]{32})/download/$": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "accounts/2fa/recovery-codes/": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
    },
    "accounts/2fa/setup/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
        "POST":   row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
    },
    "accounts/2fa/verify/": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
    },
    "accounts/login/": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  200),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  200),
    },
    "accounts/logout/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    },
    "accounts/password/change/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
        "POST":   row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
    },
    "accounts/password/change/done/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
    },
    "accounts/password/reset/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
        "POST":   row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "accounts/password/reset/<uidb64>/<token>/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
        "POST":   row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "accounts/password/reset/complete/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "accounts/password/reset/sent/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "accounts/register/": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  200),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  200),
    },
    "accounts/security/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
    },
    "accounts/security/disable/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       LOGIN),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       LOGIN),
    },
    "accounts/security/recovery-codes/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       LOGIN),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
    },
    "api/docs/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/schema/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/v1/applications/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       401, expert_unpledged=403),
        "POST":   row(409,       201,       403,       403,       403,       403,       403,       401),
    },
    "api/v1/applications/reapply/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # 重新申请: the world's enterprise already has this year's application, the other has no
        # certificate: both 409 (past authorisation); every other role 403.
        "POST":   row(409,       409,       403,       403,       403,       403,       403,       401),
    },
    "api/v1/applications/<int:pk>/": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       401, expert_unpledged=403),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the object is looked up before the role check: only enterprises write (got 404 for other_official, expert_off).
        "PATCH":  row(409    , 404    , 403    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/accept/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): DistrictActionView looks the object up before the role check (got 404 for other_enterprise, expert_off).
        "POST":   row(403    , 404    , 409    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/documents/": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       401, expert_unpledged=403),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the object is looked up before the role check: only enterprises write (got 404 for other_official, expert_off).
        "POST":   row(400    , 404    , 403    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/documents/<int:doc_id>/": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       401, expert_unpledged=403),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the object is looked up before the role check: only enterprises write (got 404 for other_official, expert_off).
        "DELETE": row(409    , 404    , 403    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/draw-experts/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(403,       403,       409,       404,       403,       403,       403,       401),
    },
    "api/v1/applications/<int:pk>/eligibility/": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       401, expert_unpledged=403),
    },
    "api/v1/applications/<int:pk>/form-pdf/": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       401, expert_unpledged=403),
    },
    "api/v1/applications/<int:pk>/opinion/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): DistrictActionView looks the object up before the role check (got 404 for other_enterprise, expert_off).
        "POST":   row(403    , 404    , 400    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/back-to-publicity/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): DistrictActionView looks the object up before the role check (got 404 for other_enterprise, expert_off); the district without a reason: 400.
        "POST":   row(403    , 404    , 400    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/back-to-review/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): DistrictActionView looks the object up before the role check (got 404 for other_enterprise, expert_off); the district without a reason: 400.
        "POST":   row(403    , 404    , 400    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/refile/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): DistrictActionView looks the object up before the role check (got 404 for other_enterprise, expert_off); the district without a reason: 400.
        "POST":   row(403    , 404    , 400    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/return/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): DistrictActionView looks the object up before the role check (got 404 for other_enterprise, expert_off).
        "POST":   row(403    , 404    , 400    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/applications/<int:pk>/submit/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the object is looked up before the role check: only enterprises write (got 404 for other_official, expert_off).
        "POST":   row(409    , 404    , 403    , 404    , 403    , 404    , 403    , 401),
    },
    "api/v1/auth/me/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       401),
    },
    "api/v1/auth/register/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "api/v1/auth/token/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "api/v1/auth/tokens/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       401),
    },
    # The enterprise user's token: only its owner revokes it; for everyone else it does not exist.
    "api/v1/auth/tokens/<str:token_id>/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "DELETE": row(204,       404,       404,       404,       404,       404,       404,       401),
    },
    "api/v1/calendar/working-days/": {
        "GET":    row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "api/v1/certificates/<str:number>/pdf/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): certificates_visible_to is empty for experts: 404 instead of 403 (got 404 for expert_on, expert_off).
        "GET":    row(200    , 404    , 200    , 404    , 404    , 404    , 200    , 401),
    },
    "api/v1/changes/major/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(400,       400,       403,       403,       403,       403,       403,       401),
    },
    "api/v1/changes/<int:pk>/": {
        "GET":    row(200,       404,       200,       404,       404,       404,       200,       401),
    },
    "api/v1/changes/<int:pk>/decide/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(403,       404,       400,       404,       404,       404,       403,       401),
    },
    "api/v1/certificates/issue/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(403,       403,       400,       400,       403,       403,       403,       401),
    },
    "api/v1/certificates/verify/<str:number>/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/v1/draws/<int:pk>/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): draws_visible_to is empty for these roles: 404 instead of 403 (got 404 for enterprise, other_enterprise, expert_on, expert_off).
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 200    , 401),
    },
    "api/v1/draws/<int:pk>/pdf/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): draws_visible_to is empty for these roles: 404 instead of 403 (got 404 for enterprise, other_enterprise, expert_on, expert_off).
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 200    , 401),
    },
    "api/v1/draws/<int:pk>/replay/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): draws_visible_to is empty for these roles: 404 instead of 403 (got 404 for enterprise, other_enterprise, expert_on, expert_off).
        "POST":   row(404    , 404    , 200    , 404    , 404    , 404    , 200    , 401),
    },
    "api/v1/eligibility/check/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "api/v1/cadres/entries/": {
        "GET":    row(200,       200,       200,       200,       403,       403,       200,       401),
    },
    "api/v1/cadres/entries/<int:pk>/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
    },
    "api/v1/cadres/entries/<int:pk>/records/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "POST":   row(403,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/entries/<int:pk>/development/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "POST":   row(400,       404,       403,       404,       403,       403,       403,       401),
    },
    # The assessment of cadres: read by the office (and the organisation departments, not among the people),
    # written by the organisation department only; the list needs ?year=&half= (400 without).
    "api/v1/cadres/assessments/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       400,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       401),
    },
    "api/v1/cadres/assessments/sheets/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       401),
    },
    "api/v1/cadres/assessments/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       401),
    },
    "api/v1/cadres/assessments/<int:pk>/scores/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       401),
    },
    "api/v1/cadres/assessments/<int:pk>/finalise/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       401),
    },
    # The API of the pages' actions: the world's entry has no cadre, its ledger waits for the enterprise.
    "api/v1/cadres/entries/<int:pk>/assignments/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "POST":   row(403,       404,       403,       404,       403,       403,       400,       401),
    },
    "api/v1/cadres/entries/<int:pk>/survey/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "PATCH":  row(403,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/entries/<int:pk>/goals/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "POST":   row(403,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/entries/<int:pk>/ledgers/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "POST":   row(403,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/entries/<int:pk>/evaluations/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       401),
        "POST":   row(400,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/ledgers/": {
        "GET":    row(200,       200,       200,       200,       403,       403,       200,       401),
    },
    "api/v1/cadres/ledgers/<int:pk>/confirm/": {
        "GET":    row(405,       405,       405,       405,       403,       403,       405,       401),
        "POST":   row(400,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/ledgers/<int:pk>/review/": {
        "GET":    row(405,       405,       405,       405,       403,       403,       405,       401),
        "POST":   row(403,       404,       403,       404,       403,       403,       403,       401),
    },
    "api/v1/cadres/ledgers/<int:pk>/file/": {
        "GET":    row(405,       405,       405,       405,       403,       403,       405,       401),
        "POST":   row(403,       404,       403,       404,       403,       403,       409,       401),
    },
    "api/v1/cadres/training/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       401),
    },
    "api/v1/experts/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       401),
    },
    "api/v1/experts/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       401),
        "PATCH":  row(403,       403,       403,       403,       403,       403,       200,       401),
    },
    "api/v1/experts/me/relations/": {
        "GET":    row(403,       403,       403,       403,       200,       200,       403,       401),
        "POST":   row(403,       403,       403,       403,       400,       400,       403,       401),
    },
    "api/v1/experts/me/relations/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       405,       405,       403,       401),
        "DELETE": row(403,       403,       403,       403,       204,       404,       403,       401, expert_unpledged=404),
    },
    "api/v1/experts/pledge/": {
        "GET":    row(403,       403,       403,       403,       200,       200,       403,       401),
        "POST":   row(403,       403,       403,       403,       200,       200,       403,       401, expert_unpledged=201),
    },
    "api/v1/filings/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
        "POST":   row(403,       403,       400,       400,       403,       403,       403,       401),
    },
    "api/v1/filings/<int:pk>/decide/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       401),
    },
    "api/v1/filings/<int:pk>/letter/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       401),
    },
    "api/v1/objections/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
    },
    "api/v1/objections/<int:pk>/resolve/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       401),
    },
    "api/v1/objections/track/<str:tracking_number>/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/v1/publicity/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
        "POST":   row(403,       403,       400,       400,       403,       403,       403,       401),
    },
    "api/v1/publicity/<int:pk>/close/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        "POST":   row(403,       403,       409,       404,       403,       403,       403,       401),
    },
    "api/v1/publicity/<int:pk>/objections/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "api/v1/reference/districts/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/v1/reference/document-kinds/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/v1/reference/fields/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "api/v1/reviews/": {
        "GET":    row(403,       403,       200,       200,       200,       200,       200,       401),
    },
    "api/v1/reviews/<int:pk>/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the list answers enterprises 403, the detail 404 (got 404 for enterprise, other_enterprise).
        "GET":    row(404    , 404    , 200    , 404    , 200    , 404    , 200    , 401, expert_unpledged=404),
    },
    "api/v1/reviews/<int:pk>/amend/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the review is looked up before the role check: only the expert scores (got 404 for enterprise, other_enterprise, other_official).
        "POST":   row(404    , 404    , 403    , 404    , 400    , 404    , 403    , 401, expert_unpledged=404),
    },
    "api/v1/reviews/<int:pk>/decline/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the review is looked up before the role check: only the expert scores (got 404 for enterprise, other_enterprise, other_official).
        "POST":   row(404    , 404    , 403    , 404    , 400    , 404    , 403    , 401, expert_unpledged=404),
    },
    "api/v1/reviews/<int:pk>/reopen/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role: the review is looked up first; only the district reopens a score (an empty body is a 400 for it).
        "POST":   row(404    , 404    , 400    , 404    , 403    , 404    , 403    , 401, expert_unpledged=404),
    },
    "api/v1/reviews/<int:pk>/replace/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role: the review is looked up first; only the district replaces an expert (an empty body is a 400 for it).
        "POST":   row(404    , 404    , 400    , 404    , 403    , 404    , 403    , 401, expert_unpledged=404),
    },
    "api/v1/reviews/<int:pk>/submit/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       401),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): the review is looked up before the role check: only the expert scores (got 404 for enterprise, other_enterprise, other_official).
        "POST":   row(404    , 404    , 403    , 404    , 400    , 404    , 403    , 401, expert_unpledged=404),
    },
    "certificates/<str:number>/pdf/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): certificates_visible_to is empty for experts: 404 instead of 403 (got 404 for expert_on, expert_off).
        "GET":    row(200    , 404    , 200    , 404    , 404    , 404    , 200    , LOGIN),
    },
    "district/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/applications/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/accept/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/draw/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/reviews/<int:review_pk>/reopen/": {
        # Not visible wins over the role: every role but the district gets 404 (experts.views.reopen); without the confirmation: 400.
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 404    , LOGIN),
        "POST":   row(404    , 404    , 400    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/applications/<int:pk>/reviews/<int:review_pk>/replace/": {
        # Not visible wins over the role: every role but the district gets 404 (experts.views.replace); without the confirmation: 400.
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 404    , LOGIN),
        "POST":   row(404    , 404    , 400    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/applications/<int:pk>/meeting/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): _meeting_of raises Http404 for every role but the district (got 404 for enterprise, other_enterprise, expert_on, expert_off, municipal).
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/applications/<int:pk>/meeting/reviews/<int:review_pk>/absent/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       LOGIN),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): _meeting_of raises Http404 for every role but the district (got 404 for enterprise, other_enterprise, expert_on, expert_off, municipal).
        "POST":   row(404    , 404    , REDIRECT , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/applications/<int:pk>/meeting/reviews/<int:review_pk>/sheet.pdf": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): sheet_files_visible_to is empty for these roles: 404 instead of 403 (got 404 for enterprise, other_enterprise, expert_on, expert_off).
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 200    , LOGIN),
    },
    "district/applications/<int:pk>/meeting/reviews/<int:review_pk>/sheet/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       LOGIN),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): _meeting_of raises Http404 for every role but the district (got 404 for enterprise, other_enterprise, expert_on, expert_off, municipal).
        "POST":   row(404    , 404    , 400    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/applications/<int:pk>/meeting/sheets.pdf": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): _meeting_of raises Http404 for every role but the district (got 404 for enterprise, other_enterprise, expert_on, expert_off, municipal).
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/applications/<int:pk>/opinion/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/back-to-publicity/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        # The official without the confirmation: back to the page with the message (nothing changes).
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/back-to-review/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        # The official without the confirmation: back to the page with the message (nothing changes).
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/refile/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        # The official without the confirmation: back to the page with the message (nothing changes).
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/applications/<int:pk>/return/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/draws/<int:pk>/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): every role but the district gets 404 (experts.views.draw_record).
        "GET":    row(404    , 404    , 200    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "district/certificates/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/certificates/<int:pk>/revoke/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    "district/certificates/issue/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        # Without the confirmation (an empty body) the official is sent back with a message.
        "POST":   row(403,       403,       REDIRECT,  REDIRECT,  403,       403,       403,       LOGIN),
    },
    "district/certificates/batch/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       400,       403,       403,       403,       LOGIN),
    },
    "district/changes/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/changes/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/changes/<int:pk>/complete/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       409,       404,       403,       403,       403,       LOGIN),
    },
    "district/changes/<int:pk>/decide/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    "district/changes/<int:pk>/evidence/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/changes/<int:pk>/publish/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    "district/changes/<int:pk>/reject/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    # The seal: the district's official for their own district, the office for any.
    "district/seals/": {
        "GET":    row(403,       403,       REDIRECT,  REDIRECT,  403,       403,       200,       LOGIN),
    },
    "district/seals/<str:code>/": {
        "GET":    row(403,       403,       200,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       400,       403,       403,       403,       400,       LOGIN),
    },
    "district/seals/<str:code>/preview.pdf": {
        "GET":    row(403,       403,       200,       403,       403,       403,       200,       LOGIN),
    },
    "district/dashboard/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/dashboard/<str:code>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/exports/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/exports/<slug:name>.<slug:fmt>": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/exports/jobs/<str:job_id>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/exports/jobs/<str:job_id>/download/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/filings/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/filings/new/": {
        "GET":    row(403,       403,       405,       405,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       400,       403,       403,       403,       LOGIN),
    },
    "district/filings/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/filings/<int:pk>/letter.pdf": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/history/applications/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/monitoring/missing/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/objections/<int:pk>/evidence/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       LOGIN),
    },
    "district/objections/<int:pk>/resolve/": {
        "GET":    row(403,       403,       405,       405,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    "district/pool/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/pool/<int:pk>/cultivation/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       REDIRECT,  404,       403,       403,       403,       LOGIN),
    },
    "district/publicity/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/publicity/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/publicity/<int:pk>/close/": {
        "GET":    row(403,       403,       405,       405,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    "district/publicity/new/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       400,       403,       403,       403,       LOGIN),
    },
    "district/reports/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/reports/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       400,       404,       403,       403,       403,       LOGIN),
    },
    "district/reports/<int:pk>/evidence/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "district/supervision/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       403,       LOGIN),
    },
    "district/supervision/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       403,       LOGIN),
    },
    "documents/<int:doc_id>/download/": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       LOGIN, expert_unpledged=403),
    },
    "enterprise/": {
        "GET":    row(200,       200,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/<int:pk>/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/<int:pk>/documents/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + applications_editable_by: every other role gets 404 (got 404 for official, other_official, expert_on, expert_off, municipal).
        "GET":    row(200    , 404    , 404    , 404    , 404    , 404    , 404    , LOGIN),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + applications_editable_by: every other role gets 404 (got 404 for official, other_official, expert_on, expert_off, municipal).
        "POST":   row(400    , 404    , 404    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "enterprise/applications/<int:pk>/documents/<int:doc_id>/delete/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + applications_editable_by: every other role gets 404 (got 404 for official, other_official, expert_on, expert_off, municipal).
        "GET":    row(200    , 404    , 404    , 404    , 404    , 404    , 404    , LOGIN),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + applications_editable_by: every other role gets 404 (got 404 for official, other_official, expert_on, expert_off, municipal).
        "POST":   row(REDIRECT , 404    , 404    , 404    , 404    , 404    , 404    , LOGIN),
    },
    "enterprise/applications/<int:pk>/form.pdf": {
        "GET":    row(200,       404,       200,       404,       200,       404,       200,       LOGIN, expert_unpledged=403),
    },
    "enterprise/applications/<int:pk>/step/<slug:step>/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(REDIRECT,  404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/<int:pk>/submit/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/<int:pk>/submitted/": {
        # The confirmation after submitting (#19): the enterprise's own page, like the detail page.
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/<int:pk>/receipt.pdf": {
        # The receipt (回执) of the submission: the enterprise's own download.
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/new/": {
        "GET":    row(200,       200,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(REDIRECT,  REDIRECT,  403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/applications/reapply/": {
        # The page says why re-applying is not open yet; the empty POST lacks the confirmation: 400.
        "GET":    row(200,       200,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       400,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/certificates/": {
        "GET":    row(200,       200,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/certificates/<int:pk>/changes/new/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/certificates/<int:pk>/monitoring/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/changes/<int:pk>/evidence/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "enterprise/self-assessment/": {
        "GET":    row(200,       200,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       400,       403,       403,       403,       403,       403,       LOGIN),
    },
    "expert/": {
        "GET":    row(403,       403,       403,       403,       200,       200,       403,       LOGIN),
    },
    "expert/pledge/": {
        "GET":    row(403,       403,       403,       403,       200,       200,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       200,       200,       403,       LOGIN),
    },
    "expert/profile/": {
        "GET":    row(403,       403,       403,       403,       200,       200,       403,       LOGIN),
    },
    "expert/profile/relations/<int:pk>/remove/": {
        "GET":    row(403,       403,       403,       403,       200,       404,       403,       LOGIN, expert_unpledged=404),
        "POST":   row(403,       403,       403,       403,       REDIRECT,  404,       403,       LOGIN, expert_unpledged=404),
    },
    "expert/profile/relations/add/": {
        "GET":    row(403,       403,       403,       403,       REDIRECT,  REDIRECT,  403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       200,       200,       403,       LOGIN),
    },
    "expert/reviews/": {
        "GET":    row(403,       403,       403,       403,       200,       200,       403,       LOGIN),
    },
    "expert/reviews/<int:pk>/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + _own_review: every other role gets 404 (got 404 for enterprise, other_enterprise, official, other_official, municipal).
        "GET":    row(404    , 404    , 404    , 404    , 200    , 404    , 404    , LOGIN, expert_unpledged=404),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + _own_review: every other role gets 404 (got 404 for enterprise, other_enterprise, official, other_official, municipal).
        "POST":   row(404    , 404    , 404    , 404    , 400    , 404    , 404    , LOGIN, expert_unpledged=404),
    },
    "expert/reviews/<int:pk>/decline/": {
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + _own_review: every other role gets 404 (got 404 for enterprise, other_enterprise, official, other_official, municipal).
        "GET":    row(404    , 404    , 404    , 404    , 200    , 404    , 404    , LOGIN, expert_unpledged=404),
        # Not visible wins over the role (docs/api.md: 404 on objects one may not see): login_required + _own_review: every other role gets 404 (got 404 for enterprise, other_enterprise, official, other_official, municipal).
        "POST":   row(404    , 404    , 404    , 404    , 400    , 404    , 404    , LOGIN, expert_unpledged=404),
    },
    "healthz/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    # The cadre help ledger (cadres/): the world's enterprise is on the 1-billion list (district 120116), with a
    # ledger waiting for the district's review. A role that never acts is 403, an entry it may not see 404.
    "cadres/": {
        "GET":    row(REDIRECT,     404,       200,       200,       403,       403,       200,       LOGIN),
    },
    "cadres/add/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "cadres/import/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "cadres/export.xlsx": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "cadres/training/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    # 区县审核 is the district organisation department's (not in PEOPLE: tests/cadres/test_views.py tries it),
    # so the district's S&T official is refused like every other role here.
    "cadres/ledgers/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "cadres/ledgers/<int:pk>/review/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    # 企业确认: the world's ledger waits for its enterprise; an empty POST (box not ticked) goes back to its page.
    "cadres/ledgers/<int:pk>/confirm/": {
        "GET":    row(405,       405,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(REDIRECT,  404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/ledgers/<int:pk>/file/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    # The assessment of cadres: the office reads and keeps the sheets (the world's is in use: its edit is
    # refused with a redirect); only the organisation department (not among the people) assesses.
    "cadres/assessments/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "cadres/assessments/export.xlsx": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "cadres/assessments/new/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/assessments/sheets/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "cadres/assessments/sheets/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    "cadres/assessments/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/assessments/<int:pk>/finalise/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/<int:pk>/": {
        "GET":    row(200,       404,       200,       404,       403,       403,       200,       LOGIN),
    },
    "cadres/<int:pk>/remove/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    "cadres/<int:pk>/assign/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "cadres/<int:pk>/survey/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/<int:pk>/goals/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/<int:pk>/records/add/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/<int:pk>/development/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/<int:pk>/evaluate/": {
        "GET":    row(200,       404,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(400,       404,       403,       403,       403,       403,       403,       LOGIN),
    },
    "cadres/<int:pk>/ledger/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       403,       LOGIN),
    },
    "municipal/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/calendar/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/dashboard/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/dashboard/<str:code>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/experts/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/experts/<int:pk>/active/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/experts/<int:pk>/edit/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/experts/export/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/experts/import/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/experts/new/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/exports/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/exports/<slug:name>.<slug:fmt>": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/exports/jobs/<str:job_id>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/exports/jobs/<str:job_id>/download/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/filings/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/filings/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/filings/<int:pk>/letter.pdf": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/filings/<int:pk>/samples/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/filings/<int:pk>/samples/checks/<int:check_id>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/history/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/history/applications/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/operations/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/operations/failed/<int:pk>/retry/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    "municipal/reports/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/reports/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/announcements/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/announcements/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/announcements/<int:pk>/status/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    "municipal/district-phones/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    "notices/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "notices/<int:pk>/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "district/contact-phone/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       405),
        "POST":   row(403,       403,       REDIRECT,  REDIRECT,  403,       403,       403,       LOGIN),
    },
    "municipal/reports/<int:pk>/evidence/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/supervision/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/supervision/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/supervision/draws/<int:pk>/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
    },
    "municipal/supervision/new/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/supervision/random/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       405,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "municipal/targets/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       REDIRECT,  LOGIN),
    },
    "notifications/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
    },
    "notifications/<int:pk>/read/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       LOGIN),
        "POST":   row(REDIRECT,  404,       404,       404,       404,       404,       404,       LOGIN),
    },
    "notifications/preferences/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
        "POST":   row(200,       200,       200,       200,       200,       200,       200,       LOGIN),
    },
    "notifications/read-all/": {
        "GET":    row(405,       405,       405,       405,       405,       405,       405,       LOGIN),
        "POST":   row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
    },
    "objections/track/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "procedure/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    "publicity/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "publicity/<int:pk>/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "publicity/<int:pk>/objection/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "publicity/<int:pk>/objection/done/": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    },
    "publicity/<int:pk>/pdf/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "rename-notices/": {  # renames are publicity notices: the old list redirects to /publicity/?kind=rename
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    },
    "reports/done/": {
        "GET":    row(REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    },
    "reports/new/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
        "POST":   row(400,       400,       400,       400,       400,       400,       400,       400),
    },
    "reports/track/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "self-check/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
        "POST":   row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    "verify/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
    # The "四单一库" ledger (listings): the office and the districts; another district's entry is a 404.
    "listings/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    "listings/add/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "listings/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       400,       404,       403,       403,       400,       LOGIN),
    },
    "listings/events/<int:pk>/evidence/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       LOGIN),
    },
    "listings/institutions/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       REDIRECT,  REDIRECT,  403,       403,       400,       LOGIN),
    },
    "listings/targets/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "listings/progress/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    # 半年考核: the office every district and the city, an official their own district (this half without a query).
    "listings/assessment/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    "listings/assessment/pdf/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    "listings/assessment/xlsx/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    "api/v1/listings/entries/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       401),
    },
    "api/v1/listings/entries/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       401),
    },
    "api/v1/listings/entries/<int:pk>/events/": {
        "GET":    row(403,       403,       405,       405,       403,       403,       405,       401),
        "POST":   row(403,       403,       400,       404,       403,       403,       400,       401),
    },
    "api/v1/listings/targets/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       401),
    },
    "api/v1/listings/progress/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
    },
    "api/v1/listings/assessment/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
    },
    # Excel import (the office) and export (the office and the districts, their own entries).
    "listings/import/": {
        "GET":    row(403,       403,       403,       403,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       403,       403,       403,       403,       400,       LOGIN),
    },
    "listings/export/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    # Trainings and roadshows: the office records the city's, a district its own; another district's is a 404.
    "listings/activities/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
    },
    "listings/activities/add/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       LOGIN),
        "POST":   row(403,       403,       400,       400,       403,       403,       400,       LOGIN),
    },
    "listings/activities/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       LOGIN),
    },
    "api/v1/listings/activities/": {
        "GET":    row(403,       403,       200,       200,       403,       403,       200,       401),
        "POST":   row(403,       403,       400,       400,       403,       403,       400,       401),
    },
    "api/v1/listings/activities/<int:pk>/": {
        "GET":    row(403,       403,       200,       404,       403,       403,       200,       401),
    },
    "verify/<str:number>/": {
        "GET":    row(200,       200,       200,       200,       200,       200,       200,       200),
    },
}
# fmt: on


def cases() -> Iterator[Any]:
    for route, methods in MATRIX.items():
        for method, expected in methods.items():
            for person in PEOPLE:
                yield pytest.param(route, method, person, expected[person], id=f"{method} /{route} {person}")


# --- The tests --------------------------------------------------------------------------------------


def test_every_url_is_in_the_matrix():
    """A route the resolver knows and the table does not fails here (and a row for a removed route too)."""
    routes = set(project_routes())
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes without a row in MATRIX (add the answer of each person): {missing}"
    assert not stale, f"rows of MATRIX for routes that no longer exist: {stale}"
    for route, methods in MATRIX.items():
        assert "GET" in methods, f"{route}: every route has a GET row"
        for method, expected in methods.items():
            assert method in ("GET", "POST", "PATCH", "DELETE"), f"{route}: unknown method {method}"
            assert set(expected) == set(PEOPLE), f"{method} {route}: one answer per person"
        parameters = {a or b for a, b in PARAMETER.findall(route)}
        assert parameters == set(KWARGS.get(route, {})), f"{route}: KWARGS must fill {sorted(parameters)}"
    assert not set(KWARGS) - routes, f"KWARGS for unknown routes: {sorted(set(KWARGS) - routes)}"


@pytest.mark.parametrize(("route", "method", "person", "expected"), list(cases()))
def test_matrix(fresh, client_, route, method, person, expected):
    url = url_of(route, NAMES[route], fresh)
    response = send(client_, fresh, route, method, person, url)
    assert response.status_code != 500
    got = answer_of(response)
    assert got == expected, (
        f"{method} {url} as {person}: got {got} ({response.status_code}), expected {expected}"
    )
    if expected == LOGIN:
        location = response["Location"]
        assert location.startswith("/accounts/login/?next="), location
        assert unquote(location.split("next=", 1)[1]).startswith(url), location


NOT_A_READER = (LOGIN, 401, 403, 404)


def post_refusal_cases() -> Iterator[Any]:
    """Every route of the URLconf (walked afresh, not taken from the table) that has no POST row: a
    read, or an API object that changes by PATCH/DELETE only. Tried by every person the table lets GET
    it (a 200, a redirect such as a role's home page, a 400 of a missing query parameter)."""
    for route in sorted(project_routes()):
        methods = MATRIX.get(route, {})
        if "POST" in methods:
            continue
        readers = [p for p in PEOPLE if methods.get("GET", {}).get(p, 404) not in NOT_A_READER]
        yield pytest.param(route, readers, id=f"/{route}")


POST_REFUSED = list(post_refusal_cases())


def test_post_refusal_cases_cover_the_reads():
    """The walk is not empty by accident: pages, downloads, PDFs and API lists are in it."""
    routes = {case.values[0] for case in POST_REFUSED}
    assert len(routes) >= 50
    assert {"", "verify/<str:number>/", "api/v1/applications/<int:pk>/", "district/changes/"} <= routes


@pytest.mark.parametrize(("route", "readers"), POST_REFUSED)
def test_routes_without_a_post_row_refuse_post(fresh, client_, route, readers):
    """A route the table gives no POST answers a POST with 405, not with the page again (nor with a
    redirect or the object): only-reading views take GET/HEAD only (``require_safe``, or
    ``http_method_names`` / the API view's methods)."""
    assert route in MATRIX, f"{route}: not in the matrix (test_every_url_is_in_the_matrix)"
    assert readers, f"{route}: nobody may GET it, so nobody can show that a POST is refused"
    url = url_of(route, NAMES[route], fresh)
    for person in readers:
        client_.cookies.clear()
        cache.clear()  # rate limits count per address: each person starts from zero
        response = send(client_, fresh, route, "POST", person, url)
        assert response.status_code == 405, (
            f"POST {url} as {person}: got {response.status_code}, expected 405"
        )


def head_cases() -> Iterator[Any]:
    """The routes of ``POST_REFUSED`` (the reads), each with the first person whose GET is a 200."""
    for case in POST_REFUSED:
        route = case.values[0]
        answers = MATRIX.get(route, {}).get("GET", {})
        reader = next((p for p in PEOPLE if answers.get(p) == 200), None)
        if reader is not None:
            yield pytest.param(route, reader, id=f"/{route}")


@pytest.mark.parametrize(("route", "person"), list(head_cases()))
def test_reads_answer_head(fresh, client_, route, person):
    """A read is restricted to GET and HEAD (``require_safe``, not ``require_GET``): a HEAD gets the
    GET's 200 without a body, never a 405."""
    url = url_of(route, NAMES[route], fresh)
    headers: dict[str, str] = {}
    if route.startswith("api/"):
        if fresh.people[person] is not None:
            headers["HTTP_AUTHORIZATION"] = f"Token {fresh.tokens[person]}"
    elif fresh.people[person] is not None:
        client_.cookies[settings.SESSION_COOKIE_NAME] = fresh.sessions[person]
    response = client_.head(url, **headers)
    assert response.status_code == 200, f"HEAD {url} as {person}: got {response.status_code}, expected 200"


def admin_urls() -> list[str]:
    """The admin's index, each app's index and each model's list and add pages."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    urls += [
        reverse("admin:app_list", args=[label])
        for label in sorted({m._meta.app_label for m in admin.site._registry})
    ]
    return urls


@pytest.mark.parametrize("person", PEOPLE)
def test_admin_refuses_the_eight_people(fresh, client_, person):
    """None of the eight is staff: every admin page sends them to the admin's login (or refuses)."""
    client = client_
    if person in fresh.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = fresh.sessions[person]
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code in (302, 403), f"{url} as {person}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("admin:login")), (
                f"{url} as {person}: {response['Location']}"
            )


def test_admin_opens_for_a_superuser(fresh, client_):
    """The refusal above is the admin's own: a superuser gets in."""
    from accounts.models import User

    client = client_
    client.force_login(User.objects.create_superuser("matrix_admin", "admin@example.com", "x"))
    assert client.get(reverse("admin:index")).status_code == 200


# --- The enterprise never learns who reviewed it (a suite-wide check) -------------------------------------


class _RecordingHTML(_StubHTML):
    """The PDF stub that also keeps the HTML each PDF was laid out from (the 申请书 PDF's text)."""

    rendered: list[str] = []

    def __init__(self, *, string: str, **kwargs: Any) -> None:
        super().__init__(string=string, **kwargs)
        self.rendered.append(string)


def _complete_the_review(world: pf.World) -> list[Any]:
    """Every panel member of the world's application scores; the district reopens one score, the expert
    submits again; the district records its opinion. Returns the experts (renamed to names that
    cannot occur by chance on a page)."""
    from districts.services import application_opinion
    from experts.models import Review
    from experts.services.reviews import review_reopen, review_submit

    application = world["app_review"]
    reviews = list(
        Review.objects.filter(application=application)
        .exclude(status="declined")
        .select_related("expert__user")
    )
    experts = []
    for i, review in enumerate(reviews):
        expert = review.expert
        expert.name = f"隐名评审人{chr(0x7532 + i)}"  # 隐名评审人甲, 乙, …
        expert.save(update_fields=["name"])
        expert.user.username = f"panelist_{i}_zq"
        expert.user.save(update_fields=["username"])
        experts.append(expert)
    official = world.people["official"]
    for review in reviews:
        scores = (
            {"growth": "10.0"}
            if review.kind == "financial"
            else {"ip": "25.0", "conversion": "25.0", "rd_management": "16.0"}
        )
        review_submit(
            review=review, by=review.expert.user, scores=scores, reasons=dict.fromkeys(scores, "依据材料")
        )
    chair = next(r for r in reviews if r.chair)
    review_reopen(review=chair, by=official, reason="核对专利证书")
    review_submit(
        review=chair,
        by=chair.expert.user,
        scores={"ip": "27.0", "conversion": "25.0", "rd_management": "16.0"},
        reasons=dict.fromkeys(("ip", "conversion", "rd_management"), "依据材料"),
    )
    application.refresh_from_db()
    assert application.status == "reviewed" and application.composite_score is not None
    application_opinion(application=application, by=official, recommend=True, note="")
    return experts


def test_the_enterprise_never_sees_an_experts_name(fresh, client_, django_capture_on_commit_callbacks):
    """Walks every page and API answer the enterprise gets a 200 for (its application that went through
    review: detail, history, documents, the 申请书 PDF's text, notifications, lists, exports) and fails
    if any expert of the panel appears by name or user name. The final composite does show."""
    with django_capture_on_commit_callbacks(execute=True):
        experts = _complete_the_review(fresh)
    forbidden = [e.name for e in experts] + [e.user.username for e in experts]
    application = fresh["app_review"]
    application.refresh_from_db()
    _RecordingHTML.rendered = []
    seen: dict[str, str] = {}
    with mock.patch("core.pdf.HTML", _RecordingHTML):
        for route, methods in MATRIX.items():
            if methods["GET"]["enterprise"] != 200:
                continue
            url = url_of(route, NAMES[route], fresh)
            cache.clear()
            client_.cookies.clear()
            response = send(client_, fresh, route, "GET", "enterprise", url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
            content = b"".join(response.streaming_content) if response.streaming else response.content
            seen[url] = content.decode("utf-8", errors="replace")
    for index, html in enumerate(_RecordingHTML.rendered):
        seen[f"pdf #{index}"] = html
    from notifications.models import Notification

    for notification in Notification.objects.filter(user=fresh.people["enterprise"]):
        seen[f"notification {notification.pk}"] = f"{notification.subject} {notification.body}"
    from django.core import mail

    for message in mail.outbox:
        if fresh.people["enterprise"].email in message.to:
            seen[f"email {message.subject}"] = f"{message.subject} {message.body}"
    leaks = [(where, name) for where, text in seen.items() for name in forbidden if name in text]
    assert not leaks, f"expert identities shown to the enterprise: {leaks}"
    detail = url_of("enterprise/applications/<int:pk>/", NAMES["enterprise/applications/<int:pk>/"], fresh)
    assert "评审专家组" in seen[detail]
    assert str(application.composite_score) in seen[detail]  # the final score, after the district's opinion
    api = url_of("api/v1/applications/<int:pk>/", NAMES["api/v1/applications/<int:pk>/"], fresh)
    assert "评审专家组" in seen[api]


# --- CSRF: every state-changing browser form refuses a POST without the token ----------------------


def csrf_cases() -> Iterator[Any]:
    """Each browser route with a POST row, sent by the first person the matrix lets past authorisation
    (any answer but the login redirect, 403 and 404): what the token must protect."""
    for route, methods in MATRIX.items():
        if route.startswith("api/") or "POST" not in methods:
            continue
        allowed = [p for p in PEOPLE if methods["POST"][p] not in (LOGIN, 403, 404)]
        if allowed:
            yield pytest.param(route, allowed[0], id=f"/{route} {allowed[0]}")


CSRF_CASES = list(csrf_cases())


def test_csrf_cases_cover_the_forms():
    """The list is not empty by accident: sign-in, registration, the objection form and the officials'
    decisions are all in it."""
    routes = {case.values[0] for case in CSRF_CASES}
    assert len(routes) >= 20
    assert {"accounts/login/", "district/applications/<int:pk>/accept/"} <= routes


@pytest.mark.parametrize(("route", "person"), CSRF_CASES)
def test_browser_posts_without_the_csrf_token_are_refused(fresh, route, person):
    """The same POST the matrix sends (which gets past authorisation), without the CSRF token: 403."""
    client = Client(enforce_csrf_checks=True)
    url = url_of(route, NAMES[route], fresh)
    response = send(client, fresh, route, "POST", person, url)
    assert response.status_code == 403, f"POST {url} as {person} without a CSRF token: {response.status_code}"
    assert response.reason_phrase == "Forbidden"
    assert b"CSRF" in response.content or "csrf" in response.content.decode().lower()
