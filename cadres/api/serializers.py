"""Shapes of the cadre help ledger's API (validation of rules is in cadres.services)."""

from __future__ import annotations

from rest_framework import serializers

from cadres.models import (
    Assessment,
    AssessmentScore,
    AssessmentSheet,
    Assignment,
    CadreLevel,
    DevelopmentData,
    Half,
    HelpListEntry,
    HelpRecord,
    Indicator,
    Ledger,
)


class AssignmentSerializer(serializers.ModelSerializer):
    cadre = serializers.CharField(source="cadre.display_name")

    class Meta:
        model = Assignment
        fields = ["id", "cadre", "kind", "starts_on", "ends_on"]


class HelpListEntrySerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name")
    uscc = serializers.CharField(source="enterprise.uscc")
    district = serializers.CharField(source="enterprise.district.code")
    assignments = AssignmentSerializer(many=True)

    class Meta:
        model = HelpListEntry
        fields = ["id", "enterprise", "uscc", "district", "help_list", "is_key", "year_added", "assignments"]


class LedgerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ledger
        fields = ["id", "year", "half", "status", "summary", "note"]


class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = HelpRecord
        fields = ["id", "helped_on", "method", "channel", "measures", "effect", "hours", "created_at"]


class RecordInputSerializer(serializers.Serializer):
    helped_on = serializers.DateField()
    method = serializers.CharField(max_length=100)
    channel = serializers.CharField(max_length=100)
    measures = serializers.CharField(max_length=2000)
    effect = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    hours = serializers.CharField(max_length=10)


class DevelopmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DevelopmentData
        fields = [
            "id",
            "year",
            "half",
            "revenue",
            "profit",
            "tax",
            "rd_spending",
            "employees",
            "patents",
            "invention_patents",
            "rd_staff",
            "new_products",
            "high_tech_revenue",
            "entered_at",
        ]


class DevelopmentInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2015, max_value=2100)
    half = serializers.ChoiceField(choices=["h1", "year"])
    revenue = serializers.CharField(max_length=20)
    profit = serializers.CharField(max_length=20)
    tax = serializers.CharField(max_length=20)
    rd_spending = serializers.CharField(max_length=20)
    employees = serializers.CharField(max_length=10)
    patents = serializers.CharField(max_length=10)
    invention_patents = serializers.CharField(max_length=10)
    rd_staff = serializers.CharField(max_length=10)
    new_products = serializers.CharField(max_length=10)
    high_tech_revenue = serializers.CharField(max_length=20)


# --- The assessment of cadres ---------------------------------------------------------------------


class AssessmentIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "position", "name", "max_score", "source", "full_at"]


class AssessmentSheetSerializer(serializers.ModelSerializer):
    indicators = AssessmentIndicatorSerializer(many=True)

    class Meta:
        model = AssessmentSheet
        fields = ["id", "year", "indicators"]


class AssessmentScoreLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="indicator.name")
    source = serializers.CharField(source="indicator.source")
    max_score = serializers.IntegerField(source="indicator.max_score")

    class Meta:
        model = AssessmentScore
        fields = ["indicator", "name", "source", "max_score", "measure", "score"]


class CadreAssessmentSerializer(serializers.ModelSerializer):
    cadre = serializers.CharField(source="cadre.display_name")
    cadre_username = serializers.CharField(source="cadre.username")
    enterprise = serializers.CharField(source="entry.enterprise.name")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "cadre",
            "cadre_username",
            "enterprise",
            "year",
            "half",
            "status",
            "total",
            "note",
            "finalised_at",
        ]


class CadreAssessmentDetailSerializer(CadreAssessmentSerializer):
    scores = AssessmentScoreLineSerializer(many=True)

    class Meta(CadreAssessmentSerializer.Meta):
        fields = [*CadreAssessmentSerializer.Meta.fields, "sheet", "scores"]


class AssessmentRankSerializer(CadreAssessmentSerializer):
    rank = serializers.IntegerField()
    tied = serializers.IntegerField(help_text="How many cadres share this total (1: no tie).")

    class Meta(CadreAssessmentSerializer.Meta):
        fields = ["rank", "tied", *CadreAssessmentSerializer.Meta.fields]


class AssessmentOpenSerializer(serializers.Serializer):
    cadre = serializers.CharField(max_length=150, help_text="The cadre's user name.")
    year = serializers.IntegerField(min_value=2015, max_value=2100)
    half = serializers.ChoiceField(choices=Half.choices, help_text="h1: half-yearly; year: annual.")


class AssessmentScoresInputSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.CharField(max_length=10, allow_blank=True),
        help_text="Hand-scored indicator id → score (0 to its maximum, one decimal; blank: unscored).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssessmentPeriodQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2015, max_value=2100)
    half = serializers.ChoiceField(choices=Half.choices, help_text="h1: half-yearly; year: annual.")
    level = serializers.ChoiceField(choices=CadreLevel.choices, required=False)
