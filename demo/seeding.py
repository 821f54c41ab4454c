"""The demo data set of docs/api.md (`seed_demo`): idempotent, keyed by user name and code."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role, User
from certification.models import Enterprise, Field
from core.uscc import make_uscc
from districts.models import District
from experts.models import Expert, ExpertKind

DEMO_PASSWORD = "Demo-Pass-2026"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红"
TITLES = ("教授", "研究员", "正高级工程师", "高级工程师", "副教授")
FIN_TITLES = ("注册会计师、高级会计师", "正高级会计师", "高级审计师")


@dataclass
class SeedCounts:
    created: int = 0
    existing: int = 0


def _user(username: str, *, role: Role, counts: SeedCounts, **fields: object) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"role": role, **fields})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        counts.created += 1
    else:
        counts.existing += 1
    return user


@transaction.atomic
def seed_demo() -> SeedCounts:
    counts = SeedCounts()
    districts = list(District.objects.order_by("code"))
    if len(districts) != 16:
        raise RuntimeError("Reference data missing: run `manage.py migrate` first.")
    for district in districts:
        _user(
            f"official_{district.code}",
            role=Role.DISTRICT,
            counts=counts,
            district=district,
            full_name=f"{district.name}工作小组",
            email=f"official_{district.code}@example.gov.cn",
        )
    office = _user(
        "municipal",
        role=Role.MUNICIPAL,
        counts=counts,
        full_name="市工作小组办公室",
        email="municipal@example.gov.cn",
    )

    top_fields = list(Field.objects.filter(catalogue__version="2016", parent=None).order_by("code"))
    number = 0
    for field in top_fields:
        for _i in range(5):
            number += 1
            _expert(number, ExpertKind.TECHNICAL, field, counts)
    for _i in range(10):
        number += 1
        _expert(number, ExpertKind.FINANCIAL, None, counts)

    binhai = District.objects.get(code="120116")
    for username, name, body, contact in (
        ("ent_a", "天津滨海智算科技有限公司", "91120116MA05K3L1X", "陈晓明"),
        ("ent_b", "天津海河新材料股份有限公司", "91120116MA06P8Q2T", "李红梅"),
    ):
        enterprise, _created = Enterprise.objects.get_or_create(
            uscc=make_uscc(body),
            defaults={
                "name": name,
                "district": binhai,
                "registered_on": dt.date(2019, 6, 18) if username == "ent_a" else dt.date(2016, 3, 9),
                "address": "天津市滨海新区中新生态城动漫中路 126 号"
                if username == "ent_a"
                else "天津市滨海新区黄海路 276 号",
                "contact_name": contact,
                "contact_phone": "022-66661234" if username == "ent_a" else "022-25207788",
            },
        )
        _user(
            username,
            role=Role.ENTERPRISE,
            counts=counts,
            enterprise=enterprise,
            full_name=contact,
            email=f"{username}@example.com",
        )
    _seed_listings(office, binhai)
    from demo.cadres import seed_cadres  # the cadre help ledger's part (imports demo.seeding's helpers)

    seed_cadres(_user, counts)
    return counts


def _seed_listings(office: User, binhai: District) -> None:
    """The "四单一库" ledger: the two demo enterprises on the reform and listing lists (one reformed,
    with its stage event), three service institutions, this year's city and Binhai targets."""
    from listings import services as listings
    from listings.models import Institution, InstitutionKind, ListingEntry, Target

    official = User.objects.get(username=f"official_{binhai.code}")
    today = dt.date.today()
    for uscc_body, reformed in (("91120116MA05K3L1X", False), ("91120116MA06P8Q2T", True)):
        enterprise = Enterprise.objects.get(uscc=make_uscc(uscc_body))
        if ListingEntry.objects.filter(enterprise=enterprise).exists():
            continue
        entry = listings.entry_add(enterprise=enterprise, stage="intention", by=office)
        if reformed:
            listings.event_record(
                entry=entry,
                by=official,
                to_stage="reformed",
                happened_on=today,
                reference="股份有限公司变更登记（示例）",
            )
    for name, kind, contact in (
        ("渤海证券股份有限公司（示例）", InstitutionKind.BROKER, "周律"),
        ("天津津海律师事务所（示例）", InstitutionKind.LAW, "吴敏"),
        ("天津正信会计师事务所", InstitutionKind.ACCOUNTING, "郑杰"),
    ):
        Institution.objects.get_or_create(name=name, defaults={"kind": kind, "contact_name": contact})
    if not Target.objects.filter(year=today.year, district=None).exists():
        listings.target_set(
            year=today.year,
            district=None,
            by=office,
            reformed=150,
            listed=60,
            merged_domestic=20,
            merged_foreign=20,
        )
    if not Target.objects.filter(year=today.year, district=binhai).exists():
        listings.target_set(
            year=today.year,
            district=binhai,
            by=office,
            reformed=20,
            listed=8,
            merged_domestic=3,
            merged_foreign=3,
        )
    _seed_listing_activities(office, official)


def _seed_listing_activities(office: User, official: User) -> None:
    """Two of the city's monthly trainings, a financing roadshow and a Binhai training, each with the
    demo enterprises and institutions that attended (主要工作内容（一）（二）)."""
    from listings import services as listings
    from listings.models import Activity, Institution

    if Activity.objects.exists():
        return
    today = dt.date.today()
    codes = [make_uscc("91120116MA05K3L1X"), make_uscc("91120116MA06P8Q2T")]
    institutions = list(Institution.objects.order_by("name").values_list("pk", flat=True)[:3])
    for by, kind, days_ago, topic, speakers, place, head_count, attending, firms in (
        (
            office,
            "training",
            40,
            "股改条件与公司治理",
            ["王立新（律师）"],
            "市科委三楼报告厅",
            85,
            codes,
            institutions[1:2],
        ),
        (
            office,
            "training",
            10,
            "上市挂牌流程与财务规范",
            ["李晓梅（注册会计师）", "陈刚（保荐代表人）"],
            "市科委三楼报告厅",
            92,
            codes[:1],
            institutions[:2],
        ),
        (
            office,
            "roadshow",
            20,
            "科技型企业融资路演对接会（第一场）",
            [],
            "天津科技金融大厦",
            140,
            codes,
            institutions,
        ),
        (
            official,
            "training",
            5,
            "滨海新区股改政策解读",
            ["赵敏（区科技局）"],
            "滨海新区政务服务中心",
            36,
            codes[1:],
            [],
        ),
    ):
        listings.activity_record(
            by=by,
            kind=kind,
            held_on=today - dt.timedelta(days=days_ago),
            topic=topic,
            speakers=speakers,
            place=place,
            head_count=head_count,
            enterprise_codes=attending,
            institution_ids=firms,
        )


def organisation_uscc(name: str) -> str:
    """One organisation, one code: the demo's USCC of an employer follows from its name, so the ten
    financial experts of 天津正信会计师事务所 share the firm's code as real ones would."""
    serial = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**9
    return make_uscc(f"12120000{serial:09d}")


def _expert(number: int, kind: ExpertKind, field: Field | None, counts: SeedCounts) -> None:
    username = f"expert{number:02d}"
    name = SURNAMES[number % len(SURNAMES)] + GIVEN[(number * 7) % len(GIVEN)]
    user = _user(username, role=Role.EXPERT, counts=counts, full_name=name, email=f"{username}@example.org")
    title = (
        TITLES[number % len(TITLES)] if kind == ExpertKind.TECHNICAL else FIN_TITLES[number % len(FIN_TITLES)]
    )
    employer = (
        f"天津大学{field.name}研究院"
        if kind == ExpertKind.TECHNICAL and number % 2
        else f"南开大学{field.name}研究所"
        if kind == ExpertKind.TECHNICAL
        else "天津正信会计师事务所"
    )
    expert, created = Expert.objects.get_or_create(
        user=user,
        defaults={
            "name": name,
            "kind": kind,
            "title": title,
            "employer": employer,
            "employer_uscc": organisation_uscc(employer),
        },
    )
    if created and field is not None:
        expert.fields.add(field)
