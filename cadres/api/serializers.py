"""Shapes of the cadre help ledger's API (validation of rules is in cadres.services)."""

from __future__ import annotations

from rest_framework import serializers

from cadres.models import Assignment, DevelopmentData, HelpListEntry, HelpRecord, Ledger


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
