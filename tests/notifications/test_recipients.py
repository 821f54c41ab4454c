"""Reminders reach the right people only, and each person's own inbox shows only their own."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.sweep import sweep
from tests.factories import ExpertFactory, UserFactory
from tests.notifications.conftest import D, accepted_application, assigned_review, issued_certificate

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_district_reminder_reaches_that_districts_officials_only(
    travel, official, second_official, other_official, municipal_user, enterprise_user, expert_user
):
    inactive = UserFactory(official=True, username="official_binhai_left", is_active=False)
    travel("2026-03-01 10:00")
    accepted_application(D("2026-04-10"))
    travel("2026-03-31 09:00")
    sweep()
    assert told("review_limit_reminder") == {official.username, second_official.username}
    assert inactive.username not in told("review_limit_reminder")


def test_escalation_reaches_the_municipal_office_only(
    travel, official, other_official, municipal_user, other_municipal
):
    travel("2026-03-01 10:00")
    accepted_application(D("2026-04-10"))
    travel("2026-04-11 00:00")
    sweep()
    assert told("review_limit_passed") == {municipal_user.username, other_municipal.username}


def test_expert_reminder_reaches_the_expert_on_the_panel_only(travel, official, other_expert_user):
    travel("2026-11-16 10:00")
    on_panel = ExpertFactory(user__username="expert_on_this_panel")
    assigned_review(D("2026-11-30"), expert=on_panel)
    travel("2026-11-26 09:00")
    sweep()
    assert told("expert_deadline_reminder") == {"expert_on_this_panel"}


def test_certificate_reminder_reaches_the_enterprises_users_only(
    travel, official, enterprise_user, other_enterprise_user, municipal_user
):
    colleague = UserFactory(enterprise_user=True, enterprise=enterprise_user.enterprise, username="colleague")
    travel("2026-12-01 10:00")
    issued_certificate(official, issued_on=D("2026-12-01"), enterprise=enterprise_user.enterprise)
    travel("2029-09-01 09:00")
    sweep()
    assert told("certificate_expiry") == {enterprise_user.username, colleague.username}
