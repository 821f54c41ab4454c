"""A saved application as the pure dataclasses of :mod:`certification.eligibility`.

One conversion, used by the application's own eligibility check (page and API), the submission
check and the generated 申请书, so the ORM → engine mapping is written once.

Related rows are read through ``application.fiscal_years.all()`` / ``application.ip_items.all()``,
so a caller that fetched the application with
:func:`certification.applications.selectors.with_application_details` pays no extra query.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from certification.eligibility.engine import (
    EligibilityInput,
    FiscalYear,
    IPItem,
    RuleSet,
    Staff,
    beijing_today,
)
from certification.models import Acquisition, Application

__all__ = ["BEIJING", "application_as_of", "eligibility_input_for", "registered_in_tianjin", "rule_set_for"]

BEIJING = ZoneInfo("Asia/Shanghai")
# GB/T 2260: every district of Tianjin municipality has a code 12xxxx.
TIANJIN_CODE_PREFIX = "12"


def application_as_of(application: Application) -> dt.date:
    """The date the conditions are judged on: the (latest) submission day in Beijing, else today.

    第二条's six months and 第九条's "近三个会计年度" are counted to the day the enterprise applied;
    a draft is judged as if submitted today.
    """
    if application.submitted_at is not None:
        return application.submitted_at.astimezone(BEIJING).date()
    return beijing_today()


def registered_in_tianjin(application: Application) -> bool:
    """第二条: 在天津市注册 — the enterprise's registered district is a Tianjin district."""
    district = application.enterprise.district
    return district is not None and district.code.startswith(TIANJIN_CODE_PREFIX)


def eligibility_input_for(application: Application, *, as_of: dt.date | None = None) -> EligibilityInput:
    """The engine's input built from the saved application.

    - ``as_of``: default :func:`application_as_of` (submission day in Beijing, else today).
    - Staff: if any of the three staff numbers is still empty, ``Staff(0, 0, 0)`` — the engine then
      reports both staff ratios as failed with "职工总数为 0" rather than inventing numbers; the
      submission check lists 人员情况 as missing data, so a submitted application always has them.
    - IP: ``licence_years`` is kept only for an exclusive licence, as the public check's parser does
      (only that term matters, 第九条（一）"5年以上的独占许可").
    - ``composite_score``: the experts' composite once set (``score_is_estimate=False``), else None
      (condition 第九条（六） then reads "未提供", passed null).
    - ``field_code``: the chosen field's code or None.
    """
    enterprise = application.enterprise
    if (
        application.staff_total is None
        or application.staff_tech_college is None
        or application.staff_rd is None
    ):
        staff = Staff(total=0, tech_college=0, rd=0)
    else:
        staff = Staff(
            total=application.staff_total,
            tech_college=application.staff_tech_college,
            rd=application.staff_rd,
        )
    fiscal_years = sorted(
        (
            FiscalYear(
                year=row.year,
                sales_revenue=row.sales_revenue,
                total_revenue=row.total_revenue,
                hightech_revenue=row.hightech_revenue,
                rd_expense=row.rd_expense,
                rd_expense_domestic=row.rd_expense_domestic,
                total_assets=row.total_assets,
            )
            for row in application.fiscal_years.all()
        ),
        key=lambda fy: fy.year,
    )
    ip = [
        IPItem(
            kind=item.kind,
            acquired_on=item.acquired_on,
            acquisition=item.acquisition,
            licence_years=item.licence_years if item.acquisition == Acquisition.EXCLUSIVE_LICENSE else None,
        )
        for item in application.ip_items.all()
    ]
    return EligibilityInput(
        as_of=as_of if as_of is not None else application_as_of(application),
        registered_on=enterprise.registered_on,
        registered_in_tianjin=registered_in_tianjin(application),
        field_code=application.field.code if application.field_id is not None else None,
        ip=ip,
        staff=staff,
        fiscal_years=fiscal_years,
        composite_score=application.composite_score,
        score_is_estimate=False,
    )


def rule_set_for(application: Application) -> RuleSet:
    """The application's rule set (the version it was opened under), parsed from its stored data."""
    return RuleSet.from_data(application.rule_set.data)
