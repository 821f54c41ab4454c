"""The cadre help ledger's demo data (part of `seed_demo`): two cadres, an organisation department,
the two demo enterprises on the help lists with a survey, goals, records, development data and a ledger
waiting for the review of Binhai's organisation department (org_binhai; the enterprise has confirmed it);
the 2026 scoring sheet and cadre1's finalised half-year assessment.
Idempotent: each part is made once, through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import Role, User
from cadres import services
from cadres.models import Assessment, AssessmentSheet, Cadre, CadreLevel, HelpListEntry, IndicatorSource
from certification.models import Enterprise
from districts.models import District

DEVELOPMENT = {
    (2025, "h1"): ("52000", "4100", "2300", "3900", "610", "38", "14", "120", "4", "36000"),
    (2025, "year"): ("118000", "9300", "5100", "8600", "640", "45", "17", "131", "7", "82000"),
    (2026, "h1"): ("63000", "5200", "2800", "4700", "668", "52", "21", "142", "5", "44000"),
}
FIELDS = (
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
)


def seed_cadres(make_user: Any, counts: Any) -> None:
    office = User.objects.get(username="municipal")
    cadres = []
    for username, name, level, unit in (
        ("cadre1", "周建华", CadreLevel.BUREAU, "天津市科学技术委员会"),
        ("cadre2", "吴丽娟", CadreLevel.DIVISION, "滨海新区科技局"),
    ):
        user = make_user(
            username, role=Role.CADRE, counts=counts, full_name=name, email=f"{username}@example.gov.cn"
        )
        Cadre.objects.get_or_create(user=user, defaults={"level": level, "unit": unit})
        cadres.append(user)
    make_user(
        "organisation",
        role=Role.ORGANISATION,
        counts=counts,
        full_name="市委组织部",
        email="org@example.gov.cn",
    )
    make_user(  # 区县组织部: reviews its district's half-year ledgers (实施方案 二(一)4)
        "org_binhai",
        role=Role.ORGANISATION,
        counts=counts,
        full_name="滨海新区区委组织部",
        email="org_binhai@example.gov.cn",
        district=District.objects.get(code="120116"),
    )
    for username, help_list, is_key, cadre in (
        ("ent_a", "billion", True, cadres[0]),
        ("ent_b", "half_billion", False, cadres[1]),
    ):
        owner = User.objects.get(username=username)
        enterprise = Enterprise.objects.get(pk=owner.enterprise_id)
        entry = HelpListEntry.objects.filter(enterprise=enterprise).first()
        if entry is not None:
            continue
        entry = services.entry_add(
            by=office, enterprise=enterprise, help_list=help_list, is_key=is_key, year_added=2025
        )
        services.assignment_set(
            by=office, entry=entry, cadre=cadre, kind="primary", starts_on=dt.date(2025, 3, 1)
        )
        services.survey_save(
            by=cadre,
            entry=entry,
            data={
                "technology": "缺少高端芯片散热的共性技术平台，希望对接高校联合攻关。",
                "talent": "急需算法和硬件研发骨干 20 名。",
                "financing": "计划两年内完成 B 轮融资。",
                "bottlenecks": "研发投入强度不足，核心人才流失。",
            },
        )
        services.goal_set(by=cadre, entry=entry, year=2026, text="营业收入增长 20%，新增发明专利 10 件。")
        services.goal_set(
            by=cadre, entry=entry, year=None, text="到 2030 年营业收入超过 10 亿元，建成市级企业技术中心。"
        )
        for day, method, measures, hours in (
            (dt.date(2026, 3, 12), "走访", "走访企业，梳理研发与融资需求，宣讲研发费用加计扣除政策。", "3"),
            (dt.date(2026, 5, 20), "对接会", "组织企业与天津大学对接散热技术联合攻关。", "4.5"),
        ):
            services.record_add(
                by=cadre,
                entry=entry,
                data={
                    "helped_on": day,
                    "method": method,
                    "channel": "现场",
                    "measures": measures,
                    "effect": "达成合作意向。",
                    "hours": hours,
                },
            )
        for (year, half), values in DEVELOPMENT.items():
            services.development_save(
                by=owner, entry=entry, year=year, half=half, values=dict(zip(FIELDS, values, strict=True))
            )
        ledger = services.ledger_submit(
            by=cadre, entry=entry, year=2026, half="h1", summary="上半年走访 2 次，促成校企合作 1 项。"
        )
        # 企业确认: the enterprise confirms; the ledger waits for its district organisation department.
        services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
    seed_assessment()


def seed_assessment() -> None:
    """The 2026 scoring sheet (the seed's default indicators) and cadre1's finalised half-year assessment."""
    office = User.objects.get(username="municipal")
    organisation = User.objects.get(username="organisation")
    sheet = AssessmentSheet.objects.filter(year=2026).first() or services.sheet_create(by=office, year=2026)
    cadre = User.objects.get(username="cadre1")
    if Assessment.objects.filter(cadre=cadre, year=2026, half="h1").exists():
        return
    assessment = services.assessment_open(by=organisation, cadre=cadre, year=2026, half="h1")
    hand = dict(zip(("责任心", "工作态度", "工作作风"), ("7.5", "6", "5.5"), strict=True))
    scores = {
        str(i.pk): hand.get(i.name, str(i.max_score - 1))
        for i in sheet.indicators.filter(source=IndicatorSource.MANUAL)
    }
    services.assessment_score(
        by=organisation,
        assessment=assessment,
        scores=scores,
        note="走访扎实，促成校企合作；帮扶次数尚少，下半年应增加。",
    )
    services.assessment_finalise(by=organisation, assessment=assessment)
