"""Factories for the people of docs/domain.md (Actors) and their organisations."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from accounts.models import Role, User
from certification.models import Application, Enterprise, RuleSet
from certification.uscc import make_uscc
from districts.models import District
from experts.models import Expert, ExpertKind

PASSWORD = "Test-Pass-2026!"
_serial = itertools.count(1)


def new_uscc() -> str:
    return make_uscc(f"91120116MA{next(_serial):07d}")


def district(code: str = "120116") -> District:
    return District.objects.get(code=code)


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
