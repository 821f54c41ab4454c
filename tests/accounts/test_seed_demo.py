import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from certification.models import Enterprise
from experts.models import Expert, ExpertKind

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        User.objects.filter(role=Role.DISTRICT).count(),
        Expert.objects.filter(kind=ExpertKind.TECHNICAL).count(),
        Expert.objects.filter(kind=ExpertKind.FINANCIAL).count(),
        Enterprise.objects.count(),
    )


def test_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_seed_twice_gives_same_counts(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    first = counts()
    call_command("seed_demo", "--force")
    assert counts() == first == (73, 16, 40, 10, 2)


def test_seeded_people(settings):
    call_command("seed_demo", "--force")
    official = User.objects.get(username="official_120116")
    assert official.district.name == "滨海新区" and official.check_password("Demo-Pass-2026")
    assert User.objects.get(username="municipal").role == Role.MUNICIPAL
    for name in ("ent_a", "ent_b"):
        assert User.objects.get(username=name).enterprise.district.code == "120116"
    # Five technical experts for each top-level field of the 2016 catalogue, then ten financial ones.
    for number in range(1, 41):
        expert = Expert.objects.get(user__username=f"expert{number:02d}")
        assert expert.kind == ExpertKind.TECHNICAL
        field = expert.fields.get()
        assert field.parent is None and field.catalogue.version == "2016"
        assert field.code == f"{(number - 1) // 5 + 1:02d}"
    for number in range(41, 51):
        assert Expert.objects.get(user__username=f"expert{number:02d}").kind == ExpertKind.FINANCIAL
    # One organisation, one code: the ten financial experts' firm has one USCC, and no two
    # differently named employers share one.
    codes: dict[str, set[str]] = {}
    for employer, uscc in Expert.objects.values_list("employer", "employer_uscc"):
        codes.setdefault(employer, set()).add(uscc)
    assert codes["天津正信会计师事务所"] and len(codes["天津正信会计师事务所"]) == 1
    assert all(len(c) == 1 for c in codes.values())
    assert len({next(iter(c)) for c in codes.values()}) == len(codes)


def test_seeded_cadre_help_ledger(settings):
    from cadres.models import DevelopmentData, HelpListEntry, HelpRecord, Ledger
    from cadres.permissions import entries_visible_to

    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    cadre1 = User.objects.get(username="cadre1")
    assert cadre1.role == Role.CADRE and cadre1.check_password("Demo-Pass-2026")
    assert User.objects.get(username="organisation").role == Role.ORGANISATION
    assert [e.enterprise.name for e in entries_visible_to(cadre1)] == ["天津滨海智算科技有限公司"]
    assert (
        HelpListEntry.objects.count(),
        HelpRecord.objects.count(),
        DevelopmentData.objects.count(),
        Ledger.objects.filter(status="confirmed").count(),
    ) == (2, 4, 6, 2)
    # 区县审核 is Binhai's organisation department's: both demo ledgers (confirmed) are in its queue.
    binhai_org = User.objects.get(username="org_binhai")
    assert binhai_org.role == Role.ORGANISATION and binhai_org.district.code == "120116"


def test_seeded_assessment(settings):
    """The demo's 2026 sheet (the seed's indicators, 100 points) and cadre1's finalised assessment, made once."""
    from cadres.models import Assessment, AssessmentSheet

    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    sheet = AssessmentSheet.objects.get(year=2026)
    assert sum(sheet.indicators.values_list("max_score", flat=True)) == 100
    assessment = Assessment.objects.get()
    assert (assessment.cadre.username, assessment.status) == ("cadre1", "finalised")
    assert not assessment.scores.filter(score__isnull=True).exists()
    assert 0 < assessment.total <= 100
