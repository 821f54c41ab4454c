"""Factories and helpers of the draw tests: a field, a pool of experts, accepted applications, past reviews."""

from __future__ import annotations

from accounts.models import User
from certification.models import Application, Enterprise, Field
from experts.models import Draw, Expert, ExpertKind, Review, ReviewStatus
from tests.factories import ApplicationFactory, ExpertFactory, UserFactory, field, new_uscc


def technical_experts(count: int, *fields: Field, **kwargs) -> list[Expert]:
    experts = ExpertFactory.create_batch(count, kind=ExpertKind.TECHNICAL, **kwargs)
    for expert in experts:
        expert.fields.add(*(fields or (field(),)))
    return experts


def financial_experts(count: int, **kwargs) -> list[Expert]:
    return ExpertFactory.create_batch(count, kind=ExpertKind.FINANCIAL, **kwargs)


def pool(
    technical: int = 6, financial: int = 3, of: Field | None = None
) -> tuple[list[Expert], list[Expert]]:
    return technical_experts(technical, of or field()), financial_experts(financial)


def accepted_application(**kwargs) -> Application:
    kwargs.setdefault("field", field())
    kwargs.setdefault("audit_firm", "天津某会计师事务所")
    kwargs.setdefault("audit_firm_uscc", new_uscc())
    return ApplicationFactory(accepted=True, **kwargs)


def _drawer() -> User:
    user = User.objects.filter(username="past_drawer").first()
    return user or UserFactory(official=True, username="past_drawer")


def past_review(
    expert: Expert,
    *,
    year: int = 2026,
    enterprise: Enterprise | None = None,
    status: str = ReviewStatus.ASSIGNED,
) -> Review:
    """A review of ``expert`` on another application (of ``enterprise`` if given) of ``year``."""
    application = None
    if enterprise is not None:
        application = Application.objects.filter(enterprise=enterprise, year=year).first()
    if application is None:
        kwargs = {"enterprise": enterprise} if enterprise is not None else {}
        application = ApplicationFactory(year=year, status="under_review", field=field(), **kwargs)
    # A draw of its own each time, so one expert may have several past reviews of one application.
    draw = Draw.objects.create(
        application=application,
        seed="past",
        algorithm_version="draw-1",
        rules={},
        eligible_ids=[],
        excluded=[],
        panel=[],
        alternates=[],
        created_by=_drawer(),
    )
    return Review.objects.create(
        draw=draw, application=application, expert=expert, kind=expert.kind, status=status
    )
