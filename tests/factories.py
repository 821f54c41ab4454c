"""Factories for the people of docs/domain.md (Actors) and their organisations."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from unittest import mock

import factory
from django.db import transaction

from accounts.models import Role, User
from certification import workflow
from certification.models import (
    Application,
    ApplicationFiscalYear,
    Conversion,
    Enterprise,
    Field,
    HighTechProduct,
    IPItem,
    RuleSet,
)
from core.uscc import make_uscc
from districts.models import District
from experts.models import Expert, ExpertKind

PASSWORD = "Test-Pass-2026!"
_serial = itertools.count(1)


def new_uscc() -> str:
    return make_uscc(f"91120116MA{next(_serial):07d}")


def district(code: str = "120116") -> District:
    return District.objects.get(code=code)


def field(code: str = "0101") -> Field:
    """A field of the catalogue in force (2016): "01" is top-level, "0101" one of its sub-fields."""
    return Field.objects.select_related("parent").get(catalogue__in_force=True, code=code)


def add_review_data(
    application: Application, *, utility_models: int = 0, product_revenue: Decimal | None = None
) -> Application:
    """Three fiscal years, an invention patent and twelve conversions: every indicator gets a band.

    ``utility_models`` adds that many utility-model patents (2025); ``product_revenue`` a high-tech product.
    """
    for year, assets, sales in (
        (2023, "100000000", "100000000"),
        (2024, "130000000", "110000000"),
        (2025, "169000000", "110000000"),
    ):
        ApplicationFiscalYear.objects.create(
            application=application,
            year=year,
            sales_revenue=Decimal(sales),
            total_revenue=Decimal(sales),
            hightech_revenue=Decimal(sales) * Decimal("0.6"),
            rd_expense=Decimal(sales) * Decimal("0.06"),
            rd_expense_domestic=Decimal(sales) * Decimal("0.05"),
            total_assets=Decimal(assets),
        )
    IPItem.objects.create(
        application=application,
        kind="invention_patent",
        title="一种高效数据压缩方法",
        number="ZL202310000001.1",
        acquired_on=dt.date(2024, 5, 1),
        acquisition="self_developed",
    )
    for i in range(utility_models):
        IPItem.objects.create(
            application=application,
            kind="utility_model",
            title=f"一种散热装置{i}",
            number=f"ZL20242000000{i}.X",
            acquired_on=dt.date(2025, 1, 1),
            acquisition="self_developed",
        )
    for year in (2023, 2024, 2025):
        for i in range(4):
            Conversion.objects.create(application=application, year=year, title=f"成果{year}-{i}")
    if product_revenue is not None:
        HighTechProduct.objects.create(
            application=application, name="智能网关", technology="边缘计算", revenue=product_revenue
        )
    return application


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"天津测试科技有限公司{n}")
    uscc = factory.LazyFunction(new_uscc)
    district = factory.LazyFunction(district)
    registered_on = dt.date(2020, 3, 1)
    address = "天津市滨海新区测试路 1 号"
    contact_name = "张三"
    contact_phone = "022-12345678"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

    class Params:
        enterprise_user = factory.Trait(
            role=Role.ENTERPRISE, enterprise=factory.SubFactory(EnterpriseFactory)
        )
        official = factory.Trait(role=Role.DISTRICT, district=factory.LazyFunction(district))
        municipal = factory.Trait(role=Role.MUNICIPAL)
        expert_user = factory.Trait(role=Role.EXPERT)


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    user = factory.SubFactory(UserFactory, expert_user=True)
    name = factory.Sequence(lambda n: f"专家{n}")
    kind = ExpertKind.TECHNICAL
    title = "教授"
    employer = "天津大学"
    employer_uscc = factory.LazyFunction(new_uscc)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2026
    rule_set = factory.LazyFunction(lambda: RuleSet.objects.get(code="tianjin-2015"))

    class Params:
        submitted = factory.Trait(status="submitted")
        accepted = factory.Trait(status="accepted")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Open the application through the table's entry row, then walk it to ``status`` (default 草稿)."""
        status = kwargs.pop("status", workflow.to_status("create"))
        application = model_class(*args, **kwargs)
        with transaction.atomic(), mock.patch.object(workflow, "_notify_on_commit"):
            workflow.create(application, by=walker(Role.ENTERPRISE, application))
            reach(application, status)
        return application


# --- Reaching a status the way the portal does: through the transition table ---------------------

_WALKER_ROLES = (Role.DISTRICT, Role.ENTERPRISE, Role.MUNICIPAL, Role.EXPERT)


def walker(role: str, application: Application) -> User:
    """Who makes a step of ``role`` for the application: the first active person of that role for its
    enterprise or district (or the office), else a stand-in that is inactive (never told of anything,
    never signs in), made once per enterprise, district or role."""
    scope = {
        Role.ENTERPRISE: {"enterprise_id": application.enterprise_id},
        Role.DISTRICT: {"district_id": application.enterprise.district_id},
    }.get(role, {})
    person = User.objects.filter(role=role, is_active=True, **scope).order_by("pk").first()
    if person is not None:
        return person
    suffix = "-".join(str(v) for v in scope.values()) or "all"
    user, _created = User.objects.get_or_create(
        username=f"walker-{role}-{suffix}",
        defaults={"role": role, "is_active": False, "password": "!", **scope},
    )
    return user


def reach(
    application: Application, status: str, *, by: User | None = None, at: dict | None = None
) -> Application:
    """Walk ``application`` from its status to ``status`` along the table's shortest path, each step a real
    ``workflow.transition()`` (the status check, the record, the stage dates; no notices: see below).

    ``by`` makes the steps its role may make; a stand-in (``walker``) or the scheduler makes the others.
    ``at`` backdates steps: {target status: aware datetime} (the stage dates are then rebuilt)."""
    from certification.applications import stage_dates
    from certification.models import ApplicationTransition

    for row in workflow.path(application.status, status):
        if by is not None and by.role in row.roles:
            actor: User | None = by
        elif workflow.SYSTEM in row.roles:
            actor = None
        else:
            actor = walker(next(r for r in _WALKER_ROLES if r in row.roles), application)
        # A factory builds the past: the status, the record and the stage dates, but no notices (on a
        # live change the row's audience is told; here they would arrive in tests about something else).
        with transaction.atomic(), mock.patch.object(workflow, "_notify_on_commit"):
            record = workflow.transition(application, row.name, by=actor)
        if at and row.target in at:
            ApplicationTransition.objects.filter(pk=record.pk).update(at=at[row.target])
    if at:
        stage_dates.rebuild(Application.objects.filter(pk=application.pk))
        application.refresh_from_db()
    return application


def pledged(user):  # type: ignore[no-untyped-def]
    """``user``, with this year's confidentiality pledge signed when they are an expert.

    Before the pledge an expert gets 403 on all application material (第十三条), whatever the
    application; tests about who sees which application sign it first so the panel decides."""
    from experts.models import Pledge
    from experts.services.pool import current_year

    if getattr(user, "role", None) == "expert":
        Pledge.objects.get_or_create(expert=user.expert, year=current_year())
    return user
