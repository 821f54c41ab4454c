"""The cadre help ledger's rules: lists, one-to-one pairing by level, records, data, the ledger's path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cadres import services
from cadres.models import Assignment, CadreLevel, DevelopmentData, HelpList, HelpListEntry, HelpRecord, Ledger
from cadres.permissions import entries_visible_to
from certification.workflow import LEDGER_PAIRS, PAIRS
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from tests.cadres.conftest import make_cadre
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

DATA = {
    "revenue": "120000.50",
    "profit": "-300",
    "tax": "5000",
    "rd_spending": "8000",
    "employees": "900",
    "patents": "40",
    "invention_patents": "12",
    "rd_staff": "150",
    "new_products": "6",
    "high_tech_revenue": "90000",
}


def test_an_enterprise_is_on_one_list_only(office, entry):
    with pytest.raises(InvalidInput) as exc:
        services.entry_add(
            by=office,
            enterprise=entry.enterprise,
            help_list=HelpList.HALF_BILLION,
            is_key=False,
            year_added=2026,
        )
    assert "enterprise" in exc.value.errors
    assert HelpListEntry.objects.count() == 1


def test_only_the_office_keeps_the_lists(cadre):
    with pytest.raises(DomainPermissionDenied):
        services.entry_add(
            by=cadre, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
        )


def test_bad_list_and_year_are_refused_with_nothing_written(office):
    with pytest.raises(InvalidInput) as exc:
        services.entry_add(
            by=office, enterprise=EnterpriseFactory(), help_list="trillion", is_key=False, year_added=1999
        )
    assert set(exc.value.errors) == {"help_list", "year_added"}
    assert not HelpListEntry.objects.exists()


def test_the_pairing_lasts_two_years(entry, cadre):
    a = Assignment.objects.get(entry=entry)
    assert (a.starts_on, a.ends_on) == (dt.date(2026, 1, 1), dt.date(2028, 1, 1))
    assert services.add_years(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 28)


def test_a_cadre_helps_one_enterprise(office, entry, cadre):
    other = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
    )
    with pytest.raises(InvalidInput) as exc:
        services.assignment_set(
            by=office, entry=other, cadre=cadre, kind="primary", starts_on=dt.date(2026, 1, 1)
        )
    assert "一对一" in exc.value.errors["cadre"][0]


def test_the_cadre_level_must_fit_the_list(office):
    division = make_cadre("div", CadreLevel.DIVISION)
    billion = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
    )
    with pytest.raises(InvalidInput) as exc:
        services.assignment_set(
            by=office, entry=billion, cadre=division, kind="primary", starts_on=dt.date(2026, 1, 1)
        )
    assert "局级干部" in exc.value.errors["cadre"][0]
    half = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="half_billion", is_key=False, year_added=2026
    )
    services.assignment_set(
        by=office, entry=half, cadre=division, kind="primary", starts_on=dt.date(2026, 1, 1)
    )


def test_only_key_enterprises_get_a_municipal_bureau_cadre(office, entry):
    dept = make_cadre("dept", CadreLevel.BUREAU, municipal_unit=True)
    services.assignment_set(
        by=office, entry=entry, cadre=dept, kind="department", starts_on=dt.date(2026, 1, 1)
    )
    plain = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
    )
    with pytest.raises(InvalidInput) as exc:
        services.assignment_set(
            by=office,
            entry=plain,
            cadre=make_cadre("dept2", CadreLevel.BUREAU, municipal_unit=True),
            kind="department",
            starts_on=dt.date(2026, 1, 1),
        )
    assert "kind" in exc.value.errors


@pytest.mark.parametrize(
    ("level", "municipal_unit"),
    [(CadreLevel.DIVISION, True), (CadreLevel.BUREAU, False)],
    ids=["division-of-a-municipal-unit", "bureau-of-a-district"],
)
def test_the_key_enterprises_second_cadre_is_bureau_level_of_a_municipal_unit(
    office, entry, level, municipal_unit
):
    """实施方案 二(一)3: 70 家重点企业各安排 1 名市有关部门和单位局级领导干部."""
    wrong = make_cadre("wrong", level, municipal_unit=municipal_unit)
    with pytest.raises(InvalidInput) as exc:
        services.assignment_set(
            by=office, entry=entry, cadre=wrong, kind="department", starts_on=dt.date(2026, 1, 1)
        )
    assert "市有关部门和单位的局级干部" in exc.value.errors["cadre"][0]
    assert not Assignment.objects.filter(kind="department").exists()


def test_the_department_level_is_gone():
    assert set(CadreLevel.values) == {"bureau", "division"}


def test_a_cadre_is_paired_again_once_the_two_years_are_over(office, entry, cadre):
    """实施方案 二(一)3: 固定联系帮扶 2 年; one-to-one within the two years, a new pairing after them."""
    other = services.entry_add(
        by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
    )
    with pytest.raises(InvalidInput):  # 2027-12-31 is still inside 2026-01-01 .. 2028-01-01
        services.assignment_set(
            by=office, entry=other, cadre=cadre, kind="primary", starts_on=dt.date(2027, 12, 31)
        )
    later = services.assignment_set(
        by=office, entry=other, cadre=cadre, kind="primary", starts_on=dt.date(2028, 1, 1)
    )
    assert (later.starts_on, later.ends_on) == (dt.date(2028, 1, 1), dt.date(2030, 1, 1))
    assert Assignment.objects.filter(cadre=cadre).count() == 2


def test_the_enterprise_gets_a_new_cadre_and_keeps_the_old_pairing(office, entry, cadre, other_cadre):
    after = services.assignment_set(
        by=office, entry=entry, cadre=other_cadre, kind="primary", starts_on=dt.date(2028, 1, 1)
    )
    assert list(
        Assignment.objects.filter(entry=entry).order_by("starts_on").values_list("cadre", flat=True)
    ) == [
        cadre.pk,
        other_cadre.pk,
    ]
    # Within the new period, a change of cadre replaces that pairing (动态调整), not the ended one.
    third = make_cadre("cadre3")
    replaced = services.assignment_set(
        by=office, entry=entry, cadre=third, kind="primary", starts_on=dt.date(2028, 3, 1)
    )
    assert replaced.pk == after.pk
    assert Assignment.objects.get(entry=entry, starts_on=dt.date(2026, 1, 1)).cadre == cadre


def test_a_district_organisation_department_pairs_only_in_its_district(
    entry, other_cadre, district_org, other_district_org, organisation
):
    half = make_cadre("half", CadreLevel.BUREAU)
    with pytest.raises(DomainPermissionDenied):
        services.assignment_set(
            by=other_district_org, entry=entry, cadre=half, kind="primary", starts_on=dt.date(2026, 1, 1)
        )
    assert Assignment.objects.filter(entry=entry).get().cadre != half
    services.assignment_set(
        by=district_org, entry=entry, cadre=half, kind="primary", starts_on=dt.date(2026, 2, 1)
    )
    services.assignment_set(  # the municipal organisation department (no district) anywhere
        by=organisation, entry=entry, cadre=other_cadre, kind="primary", starts_on=dt.date(2026, 2, 1)
    )


@pytest.mark.django_db
def test_a_cadre_acts_only_while_the_pairing_runs(office, cadre, time_machine):
    enterprise = EnterpriseFactory()
    e = services.entry_add(
        by=office, enterprise=enterprise, help_list="billion", is_key=False, year_added=2026
    )
    services.assignment_set(by=office, entry=e, cadre=cadre, kind="primary", starts_on=dt.date(2024, 1, 1))
    time_machine.move_to(dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC))
    assert services.is_cadre_of(cadre, e)
    assert entries_visible_to(cadre).filter(pk=e.pk).exists()
    time_machine.move_to(dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC))  # ended on 2026-01-01
    assert not services.is_cadre_of(cadre, e)
    assert not entries_visible_to(cadre).filter(pk=e.pk).exists()
    with pytest.raises(DomainPermissionDenied):
        services.goal_set(by=cadre, entry=e, year=2026, text="新目标")


def test_only_the_entrys_cadre_adds_records(entry, cadre, other_cadre):
    data = {
        "helped_on": dt.date(2026, 3, 1),
        "method": "走访",
        "channel": "现场",
        "measures": "对接高校",
        "hours": "2.5",
    }
    record = services.record_add(by=cadre, entry=entry, data=data)
    assert record.hours == Decimal("2.5")
    with pytest.raises(DomainPermissionDenied):
        services.record_add(by=other_cadre, entry=entry, data=data)


@pytest.mark.parametrize("hours", ["0", "-1", "241", "1.25", "abc", "NaN", "Infinity"])
def test_bad_hours_write_nothing(entry, cadre, hours):
    data = {
        "helped_on": dt.date(2026, 3, 1),
        "method": "走访",
        "channel": "现场",
        "measures": "对接",
        "hours": hours,
    }
    with pytest.raises(InvalidInput) as exc:
        services.record_add(by=cadre, entry=entry, data=data)
    assert "hours" in exc.value.errors
    assert not HelpRecord.objects.exists()


def test_the_enterprise_enters_its_development_data(entry, owner, cadre):
    services.development_save(by=owner, entry=entry, year=2026, half="h1", values=DATA)
    services.development_save(
        by=owner, entry=entry, year=2026, half="h1", values={**DATA, "employees": "950"}
    )
    assert DevelopmentData.objects.get().employees == 950
    with pytest.raises(DomainPermissionDenied):
        services.development_save(by=cadre, entry=entry, year=2026, half="h1", values=DATA)


def test_inconsistent_development_data_is_refused(entry, owner):
    with pytest.raises(InvalidInput) as exc:
        services.development_save(
            by=owner, entry=entry, year=2026, half="h9", values={**DATA, "tax": "-1", "patents": "x"}
        )
    assert set(exc.value.errors) == {"half", "tax", "patents"}
    with pytest.raises(InvalidInput) as exc:
        services.development_save(
            by=owner, entry=entry, year=2026, half="h1", values={**DATA, "invention_patents": "41"}
        )
    assert set(exc.value.errors) == {"invention_patents"}
    assert not DevelopmentData.objects.exists()


def test_the_ledger_goes_from_the_cadre_through_the_enterprise_and_the_district_to_the_office(
    entry, cadre, owner, district_org, other_district_org, district_official, organisation, office
):
    ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="走访 3 次")
    # 企业确认 comes before 区县审核.
    with pytest.raises(ApplicationStateError):
        services.ledger_review(by=district_org, ledger=ledger, approve=True, note="")
    with pytest.raises(DomainPermissionDenied):
        services.ledger_confirm(by=cadre, ledger=ledger, approve=True, note="")
    with pytest.raises(InvalidInput):
        services.ledger_confirm(by=owner, ledger=ledger, approve=False, note="")
    ledger = services.ledger_confirm(by=owner, ledger=ledger, approve=False, note="帮扶时长有误")
    assert ledger.status == "returned"
    ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="走访 3 次")
    ledger = services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
    assert ledger.status == "confirmed"
    # 区县审核 is the district's organisation department's: not the S&T official, not another district's.
    for stranger in (district_official, other_district_org, organisation, office):
        with pytest.raises(DomainPermissionDenied):
            services.ledger_review(by=stranger, ledger=ledger, approve=True, note="")
    with pytest.raises(ApplicationStateError):
        services.ledger_file(by=office, ledger=ledger)
    with pytest.raises(InvalidInput):
        services.ledger_review(by=district_org, ledger=ledger, approve=False, note="")
    ledger = services.ledger_review(by=district_org, ledger=ledger, approve=False, note="请补充帮扶效果")
    assert ledger.status == "returned"
    ledger = services.ledger_submit(
        by=cadre, entry=entry, year=2026, half="h1", summary="走访 3 次，促成合作 1 项"
    )
    ledger = services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
    ledger = services.ledger_review(by=district_org, ledger=ledger, approve=True, note="")
    # 市级备案: the municipal level, not a district's organisation department.
    with pytest.raises(DomainPermissionDenied):
        services.ledger_file(by=district_org, ledger=ledger)
    ledger = services.ledger_file(by=organisation, ledger=ledger)
    assert ledger.status == "filed"
    assert [h.status for h in ledger.history.order_by("history_id")] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "confirmed",
        "returned",
        "submitted",
        "confirmed",
        "district_reviewed",
        "filed",
    ]
    with pytest.raises(ApplicationStateError):
        services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="再次提交")
    assert Ledger.objects.get().status == "filed"


def test_the_municipal_office_files_too(entry, cadre, owner, district_org, office):
    ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="小结")
    ledger = services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
    ledger = services.ledger_review(by=district_org, ledger=ledger, approve=True, note="")
    assert services.ledger_file(by=office, ledger=ledger).status == "filed"


def test_the_ledger_pairs_are_in_the_workflow_table():
    assert PAIRS["ledger"] is LEDGER_PAIRS
    assert ("draft", "filed") not in LEDGER_PAIRS
    # 企业确认 before 区县审核: a submitted ledger cannot skip the enterprise.
    assert ("submitted", "district_reviewed") not in LEDGER_PAIRS
    assert {("submitted", "confirmed"), ("confirmed", "district_reviewed")} <= LEDGER_PAIRS


def test_an_entry_with_records_stays_on_the_list(office, entry, cadre):
    services.record_add(
        by=cadre,
        entry=entry,
        data={
            "helped_on": dt.date(2026, 3, 1),
            "method": "走访",
            "channel": "现场",
            "measures": "对接",
            "hours": "1",
        },
    )
    with pytest.raises(ApplicationStateError):
        services.entry_remove(by=office, entry=entry)
    assert HelpListEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("count", ["²", "１２", "٣"])
def test_counts_in_other_digits_are_refused_not_a_server_error(entry, owner, count):
    # str.isdigit() is true for them, int() fails on "²": the check takes ASCII digits only.
    with pytest.raises(InvalidInput) as exc:
        services.development_save(
            by=owner, entry=entry, year=2026, half="h1", values={**DATA, "patents": count}
        )
    assert set(exc.value.errors) == {"patents"}
    assert not DevelopmentData.objects.exists()


def test_a_too_long_method_is_an_error_not_cut_short(entry, cadre):
    data = {"helped_on": dt.date(2026, 3, 1), "method": "走" * 101, "channel": "现场", "measures": "对接"}
    with pytest.raises(InvalidInput) as exc:
        services.record_add(by=cadre, entry=entry, data=data)
    assert "method" in exc.value.errors
    assert not HelpRecord.objects.exists()
