from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业用户")
    DISTRICT = "district", _("区县工作小组")
    EXPERT = "expert", _("评审专家")
    MUNICIPAL = "municipal", _("市工作小组办公室")
    CADRE = "cadre", _("帮扶干部")
    ORGANISATION = "organisation", _("组织部门")


class User(AbstractUser):
    """Every actor signs in with this one model; `role` says which part of the portal is theirs."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    enterprise = models.ForeignKey(
        "certification.Enterprise",
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    district = models.ForeignKey(
        "districts.District",
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="enterprise_user_has_enterprise",
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
            ),
            models.CheckConstraint(
                name="district_official_has_district",
                condition=~Q(role="district") | Q(district__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_enterprise(self) -> bool:
        return self.role == Role.ENTERPRISE

    @property
    def is_district_official(self) -> bool:
        return self.role == Role.DISTRICT

    @property
    def is_expert(self) -> bool:
        return self.role == Role.EXPERT

    @property
    def is_municipal(self) -> bool:
        return self.role == Role.MUNICIPAL

    @property
    def is_cadre(self) -> bool:
        return self.role == Role.CADRE
