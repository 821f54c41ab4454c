"""The clock registry: each domain app registers its clocks in its AppConfig.ready(), and the sweep,
the schedules (CLOCKS, clocks_for) and the email warm-up (NOTIFICATION_KINDS) see exactly the clocks,
in exactly the order, they saw when notifications/clocks.py defined them all itself."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from cadres.models import HelpListEntry
from certification.models import Application, Certificate, Objection, PublicityNotice
from districts.models import Filing
from experts.models import Review
from notifications import clocks
from notifications.clocks import CLOCKS, NOTIFICATION_KINDS, ClockSpec, clocks_for, register_clocks
from notifications.models import Clock

KINDS = [
    "completeness",
    "review_limit",
    "expert_deadline",
    "publicity_end",
    "objection_finding",
    "filing",
    "certificate_expiry",
    "monitoring_report",
    "calendar_next_year",
    "report_flags",
    "development_data",
]


def test_every_clock_is_registered_once_in_the_order_of_the_clock_kinds():
    assert list(CLOCKS) == KINDS
    assert list(CLOCKS) == list(Clock.values)
    assert all(clock.kind == kind for kind, clock in CLOCKS.items())


def test_each_clock_lives_with_the_data_it_watches():
    assert {kind: type(clock).__module__ for kind, clock in CLOCKS.items()} == {
        "completeness": "certification.clocks",
        "review_limit": "certification.clocks",
        "expert_deadline": "experts.clocks",
        "publicity_end": "certification.clocks",
        "objection_finding": "certification.clocks",
        "filing": "districts.clocks",
        "certificate_expiry": "certification.clocks",
        "monitoring_report": "certification.clocks",
        "calendar_next_year": "workdays.clocks",
        "report_flags": "certification.clocks",
        "development_data": "cadres.clocks",
    }


def test_the_notification_kinds_follow_the_clocks():
    assert NOTIFICATION_KINDS == [
        "completeness_due",
        "completeness_overdue",
        "review_limit_reminder",
        "review_limit_passed",
        "expert_deadline_reminder",
        "expert_deadline_passed",
        "publicity_closed",
        "objection_finding_reminder",
        "filing_waiting",
        "certificate_expiry",
        "monitoring_report_due",
        "calendar_missing",
        "development_data_due",
        "development_data_overdue",
    ]


@pytest.mark.parametrize(
    ("model", "kinds"),
    [
        (Application, ["completeness", "review_limit"]),
        (Review, ["expert_deadline"]),
        (PublicityNotice, ["publicity_end"]),
        (Objection, ["objection_finding"]),
        (Filing, ["filing"]),
        (Certificate, ["certificate_expiry", "monitoring_report"]),
        (HelpListEntry, ["development_data"]),
    ],
)
def test_clocks_for_an_object(model, kinds):
    assert [clock.kind for clock in clocks_for(model())] == kinds


def test_registering_a_kind_again_replaces_it_in_its_place():
    filing = CLOCKS["filing"]
    replacement = type(filing)()
    try:
        register_clocks(replacement)
        assert list(CLOCKS) == KINDS and CLOCKS["filing"] is replacement
    finally:
        register_clocks(filing)
    assert CLOCKS["filing"] is filing and len(NOTIFICATION_KINDS) == 14


def test_an_unknown_kind_is_refused():
    class Stray(ClockSpec):
        kind = "stray"

    with pytest.raises(ImproperlyConfigured):
        register_clocks(Stray())
    assert list(CLOCKS) == KINDS


@pytest.mark.django_db
def test_the_working_calendar_comes_from_workdays():
    from workdays.services import working_calendar

    assert clocks.working_calendar() is working_calendar()
