"""Enterprise registration: the enterprise and its first user, created together. The browser form
(certification/views/registration.py) and the API (certification/api/registration.py) both call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from certification.models import Enterprise
from config.parsers import name_problem
from core.uscc import normalize_uscc, uscc_problem


def district_model():  # type: ignore[no-untyped-def]
    """The district table, reached through ``Enterprise.district`` (certification imports no districts module)."""
    return Enterprise._meta.get_field("district").related_model


@dataclass(frozen=True)
class EnterpriseData:
    name: str
    uscc: str
    district_code: str
    registered_on: dt.date
    address: str
    contact_name: str
    contact_phone: str


class RegistrationError(Exception):
    """All problems at once, keyed by field path ("username", "enterprise.uscc", …)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def registration_problems(
    *, username: str, password: str, email: str, enterprise: EnterpriseData
) -> dict[str, list[str]]:
    return field_problems(
        username=username,
        password=password,
        email=email,
        name=enterprise.name,
        uscc=enterprise.uscc,
        district_code=enterprise.district_code,
        registered_on=enterprise.registered_on,
    )


def field_problems(
    *,
    username: str | None = None,
    password: str | None = None,
    email: str | None = None,
    name: str | None = None,
    uscc: str | None = None,
    district_code: str | None = None,
    registered_on: dt.date | None = None,
) -> dict[str, list[str]]:
    """The rules of registration for the values given (None: not known yet, not checked).

    The browser form checks what it could read even when other fields are wrong, so every problem is
    reported at once rather than one round at a time.
    """
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if username is not None and User.objects.filter(username__iexact=username).exists():
        add("username", _("该用户名已被使用，请换一个。"))
    if email and User.objects.filter(email__iexact=email).exists():
        add("email", _("该邮箱已注册，请直接登录或找回密码。"))
    if password is not None:
        try:
            password_validation.validate_password(password, User(username=username or "", email=email or ""))
        except ValidationError as exc:
            for message in exc.messages:
                add("password", message)
    if name is not None:
        problem = name_problem(name)
        if problem:
            add("enterprise.name", problem)
    if uscc is not None:
        code = normalize_uscc(uscc)
        problem = uscc_problem(code)
        if problem:
            add("enterprise.uscc", problem)
        elif Enterprise.objects.filter(uscc=code).exists():
            add("enterprise.uscc", _("该统一社会信用代码已注册。如需加入该企业账户，请联系企业已有的用户。"))
    if district_code is not None and not district_model().objects.filter(code=district_code).exists():
        add(
            "enterprise.district",
            _("未知的区：%(code)s。请选择天津市的区。") % {"code": district_code},
        )
    if registered_on is not None and registered_on > timezone.localdate():
        add("enterprise.registered_on", _("注册日期不能晚于今天。"))
    return errors


def enterprise_register(*, username: str, password: str, email: str, enterprise: EnterpriseData) -> User:
    """Create the enterprise and its first user together, or nothing at all."""
    errors = registration_problems(username=username, password=password, email=email, enterprise=enterprise)
    if errors:
        raise RegistrationError(errors)
    try:
        with transaction.atomic():
            company = Enterprise.objects.create(
                name=enterprise.name.strip(),
                uscc=normalize_uscc(enterprise.uscc),
                district=district_model().objects.get(code=enterprise.district_code),
                registered_on=enterprise.registered_on,
                address=enterprise.address.strip(),
                contact_name=enterprise.contact_name.strip(),
                contact_phone=enterprise.contact_phone.strip(),
            )
            user = User(
                username=username,
                email=email,
                role=Role.ENTERPRISE,
                enterprise=company,
                full_name=enterprise.contact_name.strip(),
                phone=enterprise.contact_phone.strip(),
            )
            user.set_password(password)
            user.save()
            # Registration is anonymous until now: the records of the new enterprise and its first
            # user name that user (every history record names its actor).
            company.history.filter(history_user__isnull=True).update(
                history_user=user, history_change_reason=None
            )
            user.history.filter(history_user__isnull=True).update(
                history_user=user, history_change_reason=None
            )
    except IntegrityError:
        # Two registrations of the same code or user name raced past the checks above.
        raise RegistrationError(
            {"enterprise.uscc": [_("该统一社会信用代码或用户名刚刚已被注册，请核对后重试。")]}
        ) from None
    return user
