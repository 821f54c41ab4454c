from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certification.uscc import uscc_problem


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_uscc")


class Catalogue(models.Model):
    """A version of 国家重点支持的高新技术领域 (2008, 2016 …); exactly one is in force."""

    version = models.CharField(_("版本"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    in_force = models.BooleanField(_("现行"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("技术领域目录")
        verbose_name_plural = _("技术领域目录")
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=models.Q(in_force=True), name="one_catalogue_in_force"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="fields")
    code = models.CharField(_("代码"), max_length=10)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("技术领域")
        verbose_name_plural = _("技术领域")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="field_code_unique_per_catalogue")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RuleSet(models.Model):
    """Versioned eligibility and panel thresholds; `data` is read by certification.eligibility."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    data = models.JSONField(_("规则数据"))
    is_default = models.BooleanField(_("默认"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("认定规则集")
        verbose_name_plural = _("认定规则集")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_rule_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DocumentKind(models.TextChoices):
    """The nine kinds of material of 第十条（2）."""

    APPLICATION_FORM = "application_form", _("高新技术企业认定申请书（系统生成，签字盖章）")
    QUALIFICATION = "qualification", _("企业资质证明（营业执照等）")
    AUDIT_REPORT = "audit_report", _("中介机构出具的专项审计报告")
    IP_PROOF = "ip_proof", _("知识产权证明材料")
    CONVERSION_PROOF = "conversion_proof", _("科技成果转化证明材料")
    RD_MANAGEMENT_PROOF = "rd_management_proof", _("研究开发组织管理证明材料")
    GROWTH_STATEMENT = "growth_statement", _("企业成长性计算材料")
    STAFF_STRUCTURE = "staff_structure", _("人员结构说明")
    OTHER = "other", _("其他材料")


REQUIRED_DOCUMENT_KINDS = tuple(k for k in DocumentKind if k != DocumentKind.OTHER)


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    district = models.ForeignKey(
        "districts.District", verbose_name=_("所在区"), on_delete=models.PROTECT, related_name="enterprises"
    )
    registered_on = models.DateField(_("注册日期"))
    address = models.CharField(_("注册地址"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name
