"""The registries that let the apps import only downwards (docs/layout.md, Layers): what each app
registers in its AppConfig.ready(), and the endpoints that moved keeping their paths and names."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from accounts.models import Role
from certification import workflow
from certification.applications import permissions
from certification.publicity import services as publicity
from experts.permissions import applications_read_by_expert, panel_users, require_pledge
from experts.services.reviews import reviews_moved_by_calendar
from workdays.services import recomputers


def test_experts_register_the_expert_reader_rule_the_pledge_gate_and_the_panel_audience():
    assert permissions._reader_rules == {Role.EXPERT: applications_read_by_expert}
    assert permissions._material_gates == [require_pledge]
    assert workflow._audience_providers == {workflow.Audience.EXPERTS: panel_users}


def test_calendar_recomputers_run_in_the_order_the_periods_were_recomputed_before():
    # Renames are publicity notices: the notices' recomputer moves their ends too.
    assert recomputers() == (
        publicity.notices_moved_by_calendar,
        reviews_moved_by_calendar,
    )


@pytest.mark.parametrize(
    ("name", "args", "path", "module"),
    [
        ("accounts:register", [], "/accounts/register/", "certification.views.registration"),
        ("api-register", [], "/api/v1/auth/register/", "certification.api.registration"),
        ("api-districts", [], "/api/v1/reference/districts/", "districts.api.reference"),
        ("api-fields", [], "/api/v1/reference/fields/", "certification.api.reference"),
        ("api-filing-decide", [7], "/api/v1/filings/7/decide/", "audits.api.filings"),
        ("api-filing-letter", [7], "/api/v1/filings/7/letter/", "districts.api.filings"),
        ("api-working-days", [], "/api/v1/calendar/working-days/", "workdays.api.calendar"),
        ("accounts:login", [], "/accounts/login/", "accounts.views.two_factor"),
        ("home", [], "/", "audits.views.announcements"),
    ],
)
def test_moved_endpoints_keep_their_paths_and_names(name, args, path, module):
    assert reverse(name, args=args) == path
    assert resolve(path).func.__module__ == module
