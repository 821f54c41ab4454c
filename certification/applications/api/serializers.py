from __future__ import annotations

from rest_framework import serializers

from certification.applications.input import SECTIONS
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationTransition,
    Conversion,
    HighTechProduct,
    IPItem,
)


class FiscalYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationFiscalYear
        fields = [
            "year",
            "sales_revenue",
            "total_revenue",
            "hightech_revenue",
            "rd_expense",
            "rd_expense_domestic",
            "total_assets",
        ]


class IPItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = IPItem
        fields = ["kind", "title", "number", "acquired_on", "acquisition", "licence_years"]


class ConversionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversion
        fields = ["year", "title"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = HighTechProduct
        fields = ["name", "technology", "revenue"]


class TransitionSerializer(serializers.ModelSerializer):
    # null when the scheduler made the change (publicity passed at the end of the notice).
    by = serializers.CharField(source="by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ApplicationTransition
        fields = ["from_status", "to_status", "by", "at", "note", "data"]


class StaffOutSerializer(serializers.Serializer):
    total = serializers.IntegerField(source="staff_total", allow_null=True)
    tech_college = serializers.IntegerField(source="staff_tech_college", allow_null=True)
    rd = serializers.IntegerField(source="staff_rd", allow_null=True)


class FactsOutSerializer(serializers.Serializer):
    # The limits of certification.applications.input.FACT_KEYS.
    legal_representative = serializers.CharField(max_length=50)
    main_products = serializers.CharField(max_length=2000)
    core_technology = serializers.CharField(max_length=4000)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=20)


class AuditOutSerializer(serializers.Serializer):
    firm = serializers.CharField(source="audit_firm")
    firm_uscc = serializers.CharField(source="audit_firm_uscc")
    report_number = serializers.CharField(source="audit_report_number")
    report_date = serializers.DateField(source="audit_report_date", allow_null=True)


def _viewer(serializer: serializers.Serializer):  # type: ignore[no-untyped-def]
    request = serializer.context.get("request")
    return getattr(request, "user", None) if request is not None else None


class ApplicationListSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    uscc = serializers.CharField(source="enterprise.uscc")
    district = serializers.CharField(source="enterprise.district.code")
    field_code = serializers.CharField(source="field.code", default=None)
    rule_set = serializers.CharField(source="rule_set.code")

    class Meta:
        model = Application
        fields = [
            "id",
            "year",
            "status",
            "enterprise_name",
            "uscc",
            "district",
            "field_code",
            "rule_set",
            "submitted_at",
            "review_deadline",
            "composite_score",
            "review_passed",
            "updated_at",
        ]

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        """Scores and the history as the viewer may see them (certification.disclosure); without a
        request in the context (the officials' own endpoints) nothing is withheld."""
        from certification.disclosure import redact_application

        data = super().to_representation(instance)
        if "request" not in self.context:
            return data
        return redact_application(data, instance, _viewer(self))


class ApplicationSerializer(ApplicationListSerializer):
    """The whole application as the caller may see it; writes go through certification.applications.services."""

    facts = FactsOutSerializer(source="*")
    staff = StaffOutSerializer(source="*")
    audit = AuditOutSerializer(source="*")
    fiscal_years = FiscalYearSerializer(many=True)
    ip = IPItemSerializer(source="ip_items", many=True)
    conversions = ConversionSerializer(many=True)
    products = ProductSerializer(many=True)
    transitions = TransitionSerializer(many=True)

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            # Every section the enterprise fills in (the field's code is already a list field).
            *(section for section in SECTIONS if section not in ApplicationListSerializer.Meta.fields),
            "current_step",
            "accepted_at",
            "score_spread_flag",
            "opinion_recommend",
            "opinion_note",
            "opinion_at",
            "transitions",
        ]


class ApplicationWriteSerializer(serializers.Serializer):
    """Schema documentation of the write body; validation is certification.applications.input."""

    field_code = serializers.CharField(required=False, allow_null=True, max_length=10)
    facts = FactsOutSerializer(required=False)
    staff = serializers.DictField(required=False, help_text='{"total", "tech_college", "rd"}')
    fiscal_years = serializers.ListField(child=serializers.DictField(), required=False)
    ip = serializers.ListField(child=serializers.DictField(), required=False)
    conversions = ConversionSerializer(many=True, required=False)
    rd_management = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    products = ProductSerializer(many=True, required=False)
    audit = serializers.DictField(
        required=False, help_text='{"firm", "firm_uscc", "report_number", "report_date"}'
    )


class SubmitSerializer(serializers.Serializer):
    acknowledge_failures = serializers.BooleanField(
        default=False, help_text="确认已知晓未满足的认定条件，仍然提交"
    )
