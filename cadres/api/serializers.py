"""Shapes of the cadre help ledger's API (validation of rules is in cadres.services)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadres.models import (
    SURVEY_AREAS,
    Assessment,
    AssessmentScore,
    AssessmentSheet,
    Assignment,
    AssignmentKind,
    CadreLevel,
    DevelopmentData,
    Evaluation,
    Goal,
    Half,
    HelpListEntry,
    HelpRecord,
    Indicator,
    Ledger,
    NeedsSurvey,
    Training,
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


# --- Pairing, survey, goals, ledgers, training, evaluations (the pages' actions, as the API) ---------


class PairingSerializer(serializers.ModelSerializer):
    """A pairing with its cadre's level and unit; ``active`` says whether it runs today."""

    cadre_name = serializers.CharField(source="cadre.display_name")
    level = serializers.CharField(source="cadre.cadre_profile.level", allow_null=True, default=None)
    municipal_unit = serializers.BooleanField(source="cadre.cadre_profile.municipal_unit", default=False)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "level",
            "municipal_unit",
            "kind",
            "starts_on",
            "ends_on",
            "active",
        ]

    def get_active(self, obj: Assignment) -> bool:
        today = timezone.localdate()
        return obj.starts_on <= today < obj.ends_on


class PairingInputSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(min_value=1, max_value=2**31 - 1)  # a user id (PostgreSQL integer)
    kind = serializers.ChoiceField(choices=AssignmentKind.choices)
    starts_on = serializers.DateField()


class NeedsSurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = NeedsSurvey
        fields = [*SURVEY_AREAS, "bottlenecks", "updated_at"]
        extra_kwargs = {"updated_at": {"allow_null": True}}  # null before the first answer


class NeedsSurveyInputSerializer(serializers.Serializer):
    technology = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    high_tech = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    talent = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    business_model = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    mergers = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    financing = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    bottlenecks = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class HelpGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "year", "text"]


class HelpGoalInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2015, max_value=2100, required=False, allow_null=True, default=None
    )
    text = serializers.CharField(max_length=2000)


class HelpLedgerSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="entry.enterprise.name")

    class Meta:
        model = Ledger
        fields = ["id", "entry", "enterprise", "year", "half", "status", "summary", "note", "changed_at"]


class LedgerSubmitInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2015, max_value=2100)
    half = serializers.ChoiceField(choices=Half.choices)
    summary = serializers.CharField(max_length=4000)


class LedgerDecision(models.TextChoices):
    PASS = "pass", _("通过（确认无误或审核通过）")
    RETURN = "return", _("退回帮扶干部修改")


class LedgerDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=LedgerDecision.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HelpTrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Training
        fields = ["id", "held_on", "topic", "speaker", "attendance"]


class HelpTrainingInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    speaker = serializers.CharField(max_length=100)
    attendance = serializers.IntegerField(min_value=1, max_value=100_000)


class CadreEvaluationSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.display_name")

    class Meta:
        model = Evaluation
        fields = ["id", "cadre", "cadre_name", "year", "half", "score", "text", "evaluated_at"]


class CadreEvaluationInputSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(min_value=1, max_value=2**31 - 1)  # a user id (PostgreSQL integer)
    year = serializers.IntegerField(min_value=2015, max_value=2100)
    half = serializers.ChoiceField(choices=Half.choices)
    score = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
