"""API fuzzing: Schemathesis against ``/api/schema/``, anonymously and as each role.

Every operation of the OpenAPI schema is called in-process (Schemathesis's WSGI transport against
``config.wsgi.application``) on the PostgreSQL test database, once per role: anonymous, enterprise
user, district official, expert and municipal office (``Authorization: Token …``; two-factor is off
in tests). Two things must hold for every generated request, valid or not:

* ``not_a_server_error`` — no 5xx;
* ``response_schema_conformance`` — a documented status answers a body the schema describes.

The world is built once for the module (an application in every status, documents, a real draw
with its reviews, an open notice with an objection, a filing, a certificate …) inside a transaction
that is rolled back at the module's end. Path parameters are drawn half from its objects, half from
Schemathesis's own values, so authorised calls reach real objects and the 404 paths are fuzzed
too; the same holds for the ``applications`` lists of bodies. Each request runs inside a savepoint
that is rolled back afterwards: every example starts from the same world, and a database error in
one request cannot poison the next.

Bounded and reproducible: a fixed seed; the coverage phase (boundary values, wrong types, missing
fields — deterministic) and ``MAX_EXAMPLES`` fuzzed examples per operation and role; no example
database. About 3–4 minutes on 2 cores. ``pytest -m fuzz`` selects it; ``FUZZ_MAX_EXAMPLES``
overrides the bound.

The schema is loaded at import (``schema.parametrize()``: one test item per operation and role).
Schemathesis's lazy ``from_fixture`` loader is not used: up to 4.32 it sets ``request.node._nodeid``,
which pytest 9.2 no longer has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import traceback
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from certification.certificates.services import certificate_issue
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationStatus,
    Document,
    IPItem,
    Objection,
    PublicityEntry,
    PublicityNotice,
)
from config.wsgi import application
from districts.models import Filing, FilingEntry
from experts.models import ExpertKind, ExpertRelation, Pledge
from experts.services.draws import draw_experts
from experts.services.pool import current_year
from tests.factories import ApplicationFactory, EnterpriseFactory, ExpertFactory, UserFactory, district
from tests.factories import field as catalogue_field

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

ROLES = ["anonymous", "enterprise", "district", "expert", "municipal"]
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
SEED = 20261127
CHECKS = [not_a_server_error, response_schema_conformance]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- The world ---------------------------------------------------------------------------------------


@dataclass
class World:
    headers: dict[str, dict[str, str]]  # per role: the Authorization header (none when anonymous)
    ids: dict[str, list[Any]] = field(default_factory=dict)


def _fill(application: Application) -> Application:
    """Enough data for the eligibility, the review material and the form."""
    for year, sales in ((2023, 100_000_000), (2024, 110_000_000), (2025, 121_000_000)):
        ApplicationFiscalYear.objects.create(
            application=application,
            year=year,
            sales_revenue=Decimal(sales),
            total_revenue=Decimal(sales),
            hightech_revenue=Decimal(sales) * Decimal("0.7"),
            rd_expense=Decimal(sales) * Decimal("0.06"),
            rd_expense_domestic=Decimal(sales) * Decimal("0.05"),
            total_assets=Decimal(sales) * 2,
        )
    IPItem.objects.create(
        application=application,
        kind="invention_patent",
        title="一种高效数据压缩方法",
        number=f"ZL2023{application.pk:07d}.1",
        acquired_on=dt.date(2024, 5, 1),
        acquisition="self_developed",
    )
    application.staff_total, application.staff_tech_college, application.staff_rd = 100, 40, 12
    application.main_products = "工业软件"
    application.core_technology = "数据压缩"
    application.save()
    return application


def _document(application: Application, by, kind: str = "audit_report") -> Document:
    content = PDF.replace(b"%%EOF", f"% {application.pk} {kind}\n%%EOF".encode())
    document = Document(
        application=application,
        kind=kind,
        original_name=f"{kind}.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    document.file.save(f"{kind}.pdf", ContentFile(content), save=True)
    return document


def build_world() -> World:
    binhai, heping = district("120116"), district("120101")
    sub_field = catalogue_field("0101")
    official = UserFactory(official=True, username="fuzz_official")
    municipal = UserFactory(municipal=True, username="fuzz_municipal")
    enterprise_user = UserFactory(enterprise_user=True, username="fuzz_enterprise")
    enterprise_user.enterprise.district = binhai
    enterprise_user.enterprise.save()
    # A pool large enough for a draw to succeed: six technical experts of the field, three financial.
    technical = ExpertFactory.create_batch(6, kind=ExpertKind.TECHNICAL)
    for member in technical:
        member.fields.add(sub_field)
    ExpertFactory.create_batch(3, kind=ExpertKind.FINANCIAL)

    def app(status: str, where=binhai, **kwargs) -> Application:
        kwargs.setdefault("enterprise", EnterpriseFactory(district=where))
        application = ApplicationFactory(status=status, field=sub_field, **kwargs)
        if status != ApplicationStatus.DRAFT:
            application.submitted_at = timezone.now() - dt.timedelta(days=20)
            application.save(update_fields=["submitted_at"])
        return _fill(application)

    own_returned = app(ApplicationStatus.RETURNED, enterprise=enterprise_user.enterprise)
    own_draft = app(ApplicationStatus.DRAFT, enterprise=enterprise_user.enterprise, year=2025)
    submitted = app(ApplicationStatus.SUBMITTED)
    accepted = app(
        ApplicationStatus.ACCEPTED,
        audit_firm="天津某会计师事务所",
        audit_firm_uscc=EnterpriseFactory.build().uscc,
    )
    under_review = app(  # drawn below
        ApplicationStatus.ACCEPTED,
        audit_firm="天津某会计师事务所",
        audit_firm_uscc=EnterpriseFactory.build().uscc,
    )
    reviewed = app(ApplicationStatus.REVIEWED, composite_score=Decimal("78.50"), review_passed=True)
    recommended = app(ApplicationStatus.RECOMMENDED, composite_score=Decimal("80.00"), review_passed=True)
    in_publicity = app(ApplicationStatus.IN_PUBLICITY, composite_score=Decimal("81.00"), review_passed=True)
    passed = app(ApplicationStatus.PUBLICITY_PASSED)
    filed = app(ApplicationStatus.FILED)
    approved = app(ApplicationStatus.APPROVED)
    certified = app(ApplicationStatus.APPROVED)  # certified below
    elsewhere = app(ApplicationStatus.SUBMITTED, where=heping)

    documents = [
        _document(own_returned, enterprise_user, "audit_report"),
        _document(own_returned, enterprise_user, "qualification"),
        _document(submitted, official, "audit_report"),
    ]

    # A real draw (the service, as the district runs it); the panel's chair is the expert of the world.
    draw = draw_experts(application=under_review, by=official)
    reviews = list(draw.reviews.select_related("expert__user"))
    expert = next(r.expert for r in reviews if r.chair)
    Pledge.objects.create(expert=expert, year=current_year())
    relation = ExpertRelation.objects.create(
        expert=expert, uscc=EnterpriseFactory.build().uscc, enterprise_name="某关联企业"
    )
    under_review.refresh_from_db()
    documents.append(_document(under_review, official, "audit_report"))

    today = timezone.localdate()
    notice = PublicityNotice.objects.create(
        district=binhai,
        title="滨海新区 拟认定名单公示",
        start=today - dt.timedelta(days=2),
        end=today + dt.timedelta(days=12),
        created_by=official,
    )
    entry = PublicityEntry.objects.create(notice=notice, application=in_publicity)
    objection = Objection.objects.create(
        entry=entry,
        tracking_number="YYFUZZ000001",
        name="李四",
        phone="13800000000",
        reason="该企业的研发人员数量与实际不符，请核实。",
    )
    filing = Filing.objects.create(district=binhai, created_by=official)
    FilingEntry.objects.create(filing=filing, application=filed)
    # Issued by the service, so the district's serial counter knows the number.
    (certificate,) = certificate_issue(by=official, application_ids=[certified.pk])
    certified.refresh_from_db()

    applications = [
        own_returned,
        own_draft,
        submitted,
        accepted,
        under_review,
        reviewed,
        recommended,
        in_publicity,
        passed,
        filed,
        approved,
        certified,
        elsewhere,
    ]
    users = {
        "enterprise": enterprise_user,
        "district": official,
        "expert": expert.user,
        "municipal": municipal,
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role, user in users.items():
        headers[role] = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    return World(
        headers=headers,
        ids={
            "application": [a.pk for a in applications],
            "document": [d.pk for d in documents],
            "draw": [draw.pk],
            "review": [r.pk for r in reviews],
            "expert": [expert.pk, *(r.expert_id for r in reviews if r.expert_id != expert.pk)][:3],
            "relation": [relation.pk],
            "notice": [notice.pk],
            "objection": [objection.pk],
            "tracking_number": [objection.tracking_number],
            "filing": [filing.pk],
            "certificate_number": [certificate.number],
        },
    )


# Which world objects a path parameter of an operation may name (by path prefix and parameter name).
PATH_PARAMETERS = [
    ("/api/v1/applications/", "doc_id", "document"),
    ("/api/v1/applications/", "id", "application"),
    ("/api/v1/draws/", "id", "draw"),
    ("/api/v1/reviews/", "id", "review"),
    ("/api/v1/experts/me/relations/", "id", "relation"),
    ("/api/v1/experts/", "id", "expert"),
    ("/api/v1/publicity/", "id", "notice"),
    ("/api/v1/objections/track/", "tracking_number", "tracking_number"),
    ("/api/v1/objections/", "id", "objection"),
    ("/api/v1/filings/", "id", "filing"),
    ("/api/v1/certificates/", "number", "certificate_number"),
]


def world_values(world: World, path: str, name: str) -> list[Any]:
    for prefix, parameter, kind in PATH_PARAMETERS:
        if path.startswith(prefix) and name == parameter:
            return world.ids[kind]
    return []


# The world of the running module: the hooks are registered once, at import, on the module's schema.
CURRENT: dict[str, World] = {}


def register_world_hooks(schema) -> None:
    @schema.hook("flatmap_path_parameters")
    def _real_objects(context, path_parameters):  # type: ignore[no-untyped-def]
        world = CURRENT.get("world")
        if world is None or not isinstance(path_parameters, dict):
            return st.just(path_parameters)
        strategies = {}
        for name, value in path_parameters.items():
            known = world_values(world, context.operation.path, name)
            strategies[name] = st.one_of(st.sampled_from(known), st.just(value)) if known else st.just(value)
        return st.fixed_dictionaries(strategies)

    @schema.hook("flatmap_body")
    def _real_applications(context, body):  # type: ignore[no-untyped-def]
        world = CURRENT.get("world")
        if world is None or not isinstance(body, dict):
            return st.just(body)
        ids = world.ids["application"]
        strategies: dict[str, Any] = {key: st.just(value) for key, value in body.items()}
        if isinstance(body.get("applications"), list):
            strategies["applications"] = st.one_of(
                st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True),
                st.just(body["applications"]),
            )
        if isinstance(body.get("application"), int) and not isinstance(body.get("application"), bool):
            strategies["application"] = st.one_of(st.sampled_from(ids), st.just(body["application"]))
        return st.fixed_dictionaries(strategies)


# --- Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole module, inside a transaction that is never committed: each test's own
    (``db``) transaction nests in it as a savepoint, and the module's end rolls everything back."""
    media = tmp_path_factory.mktemp("fuzz-media")
    storages = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media,
        STORAGES=storages,
    )
    with django_db_blocker.unblock(), fast:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            CURRENT["world"] = built
            yield built
        finally:
            CURRENT.pop("world", None)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    from config.throttling import ClientAddressThrottle

    # The public endpoints' rate limits would answer 429 after a few examples and hide the views.
    monkeypatch.setattr(ClientAddressThrottle, "get_rate", lambda self: None)


@pytest.fixture
def _requests_in_the_test_transaction():
    """The WSGI handler closes "old" connections around each request; in a test that is the test's own
    connection inside its transaction. Django's test client disconnects the same receivers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def role(request) -> str:
    return request.param


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions behind 500 answers, printed with a failing example."""
    caught: list[str] = []

    def receiver(sender, request=None, **kwargs):  # type: ignore[no-untyped-def]
        caught.append(traceback.format_exc())

    signals.got_request_exception.connect(receiver)
    try:
        yield caught
    finally:
        signals.got_request_exception.disconnect(receiver)


# --- The schema and the test ----------------------------------------------------------------------------

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "database": "none",
            # The role's token is sent by the test; generated Authorization headers and session
            # cookies would only exercise DRF's own 401.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},  # boundary values and wrong types, deterministic
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
register_world_hooks(schema)


@schema.parametrize()
# The fixtures are meant to be shared by the examples: the world is read-only (each request is rolled
# back to a savepoint) and `role` only picks a header.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api(case, role, world, db, server_errors, _requests_in_the_test_transaction):
    headers = world.headers[role]
    server_errors.clear()
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers=headers)
    finally:
        transaction.savepoint_rollback(savepoint)
    if response.status_code >= 500:
        print(f"role: {role}\n{case.as_curl_command(headers=headers)}")
        print(*server_errors, sep="\n")
    case.validate_response(response, checks=CHECKS, headers=headers)


# --- Pinned findings of the fuzzer (deterministic, so they fail until fixed) --------------------------

ELIGIBILITY_BODY = {
    "rule_set": "tianjin-2015",
    "as_of": "2026-06-30",
    "registered_on": "2020-01-01",
    "registered_in_tianjin": True,
    "field_code": "0101",
    "ip": [{"kind": "invention_patent", "acquired_on": "2024-01-01", "acquisition": "self_developed"}],
    "staff": {"total": 10, "tech_college": 5, "rd": 2},
    "fiscal_years": [],
}


@pytest.mark.parametrize(
    ("key", "value"), [("kind", []), ("kind", {}), ("acquisition", []), ("acquisition", {})]
)
def test_eligibility_check_refuses_a_non_string_ip_kind_or_acquisition(client, key, value):
    body = {**ELIGIBILITY_BODY, "ip": [{**ELIGIBILITY_BODY["ip"][0], key: value}]}
    client.raise_request_exception = False
    response = client.post("/api/v1/eligibility/check/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert f"ip[0].{key}" in response.json()
