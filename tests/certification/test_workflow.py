"""The workflow table (certification/workflow.py): the one writer of Application.status, its pairs, its notices."""

from __future__ import annotations

import ast
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from accounts.models import Role
from certification import workflow
from certification.models import Application, ApplicationStatus, ApplicationTransition
from config.celery import app as celery_app
from core.errors import ApplicationStateError, DomainPermissionDenied
from experts.models import Draw, Review
from notifications.models import Notification
from tests.factories import ApplicationFactory, ExpertFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "core",
    "workdays",
    "certification",
    "districts",
    "experts",
    "audits",
    "notifications",
    "accounts",
    "demo",
)


# --- Only workflow.py writes Application.status ------------------------------------------------------

# `x.status = …` on objects that are not applications: (file, variable) → what it is.
OTHER_MODELS = {
    ("core/errors.py", "self"): "ApplicationStateError",
    ("core/web.py", "failure"): "Failure (an HTTP status)",
    ("audits/services/office.py", "report"): "Report",
    ("audits/services/office.py", "check"): "SupervisionCheck",
}
WRITERS = {"create", "update", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}


def _sources() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts or path.name == "workflow.py":
                continue
            files.append(path)
    return files


def _root_name(node: ast.AST) -> str:
    """`Application` of `Application.objects.filter(…).update`, `application` of `application.save`."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else ""


def _mentions_status(call: ast.Call) -> bool:
    if any(k.arg == "status" for k in call.keywords):
        return True
    # bulk_update(objs, ["status", …])
    return (
        any(isinstance(c, ast.Constant) and c.value == "status" for a in call.args for c in ast.walk(a))
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "bulk_update"
    )


def status_writes(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(), filename=rel)
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Attribute) and t.attr == "status":
                    name = _root_name(t.value)
                    if (rel, name) not in OTHER_MODELS:
                        found.append(f"{rel}:{node.lineno}: {name}.status = …")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
            if isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
                found.append(f"{rel}:{node.lineno}: setattr(…, 'status', …)")
        if isinstance(func, ast.Name) and func.id == "Application" and _mentions_status(node):
            found.append(f"{rel}:{node.lineno}: Application(status=…)")
        if isinstance(func, ast.Attribute) and func.attr in WRITERS and _mentions_status(node):
            root = _root_name(func)
            if root == "Application" or re.search(r"applications?$", root, re.IGNORECASE) or root == "app":
                found.append(f"{rel}:{node.lineno}: {root}….{func.attr}(status=…)")
    return found


def test_only_the_workflow_writes_application_status():
    found = [hit for path in _sources() for hit in status_writes(path)]
    assert not found, "Application.status is written outside certification/workflow.py:\n" + "\n".join(found)


def test_the_source_check_catches_a_write(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.certification.test_workflow.ROOT", tmp_path)
    bad = tmp_path / "districts" / "bad.py"
    bad.parent.mkdir()
    bad.write_text(
        "def f(application, a):\n"
        "    application.status = 'filed'\n"
        "    Application.objects.filter(pk=1).update(status='filed')\n"
        "    Application.objects.create(status='draft')\n"
        "    Application(status='draft')\n"
        "    setattr(a, 'status', 'x')\n"
        "    change.status = 'approved'\n"
    )
    assert len(status_writes(bad)) == 6


# --- The table ---------------------------------------------------------------------------------------


def test_every_row_tells_someone():
    assert all(t.audiences for t in workflow.TRANSITIONS)
    empty = workflow.Transition("x", "x", ("draft",), "submitted", ("enterprise",), (), "s", "b")  # type: ignore[arg-type]
    with pytest.raises(workflow.WorkflowTableError):
        workflow.validate([empty])


def test_every_status_is_reached_and_the_enterprise_hears_of_every_change():
    assert set(workflow.ORDER) == set(ApplicationStatus.values)
    assert all(workflow.Audience.ENTERPRISE in t.audiences for t in workflow.TRANSITIONS)


def test_derived_lists():
    S = ApplicationStatus
    assert workflow.EDITABLE_STATUSES == (S.DRAFT, S.RETURNED)
    # A filing return is not finished: the district files again or goes back to review or publicity.
    assert set(workflow.FINISHED_STATUSES) == {
        S.CERTIFIED,
        S.NOT_RECOMMENDED,
        S.OBJECTION_UPHELD,
    }
    assert workflow.CLOCK_STATUSES == (
        S.ACCEPTED,
        S.UNDER_REVIEW,
        S.REVIEWED,
        S.RECOMMENDED,
        S.IN_PUBLICITY,
        S.PUBLICITY_PASSED,
        S.FILING_RETURNED,
    )
    assert workflow.REVIEW_STATUSES == (S.UNDER_REVIEW, S.REVIEWED)
    assert (
        S.DRAFT not in workflow.SUBMITTED_STATUSES and len(workflow.SUBMITTED_STATUSES) == len(S.values) - 1
    )


def _actor(role: str, application: Application):
    if role == workflow.SYSTEM:
        return None
    if role == Role.ENTERPRISE:
        return UserFactory(role=Role.ENTERPRISE, enterprise=application.enterprise)
    if role == Role.DISTRICT:
        return UserFactory(role=Role.DISTRICT, district=application.enterprise.district)
    if role == Role.EXPERT:
        return ExpertFactory().user
    return UserFactory(municipal=True)


LEGAL = [(t.name, source) for t in workflow.TRANSITIONS for source in t.sources]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "source"), LEGAL)
def test_every_legal_pair_passes(name, source):
    t = workflow.BY_NAME[name]
    application = ApplicationFactory(status=source)
    with transaction.atomic():
        record = workflow.transition(application, name, by=_actor(t.roles[0], application), note="n")
    application.refresh_from_db()
    assert application.status == t.target
    assert (record.from_status, record.to_status, record.note) == (source, t.target, "n")


@pytest.mark.django_db
@pytest.mark.parametrize("name", [t.name for t in workflow.TRANSITIONS if t.sources])
def test_an_illegal_pair_is_refused_and_changes_nothing(name):
    t = workflow.BY_NAME[name]
    source = next(s for s in workflow.ORDER if s not in t.sources)
    application = ApplicationFactory(status=source)
    recorded = ApplicationTransition.objects.filter(application=application).count()
    with pytest.raises(ApplicationStateError) as refused, transaction.atomic():
        workflow.transition(application, name, by=_actor(t.roles[0], application))
    assert refused.value.status == source
    assert str(ApplicationStatus(source).label) in refused.value.message
    assert str(t.label) in refused.value.message
    application.refresh_from_db()
    assert application.status == source
    assert ApplicationTransition.objects.filter(application=application).count() == recorded


@pytest.mark.django_db
def test_a_role_the_row_does_not_name_is_refused():
    application = ApplicationFactory(status="submitted")
    with pytest.raises(DomainPermissionDenied), transaction.atomic():
        workflow.transition(application, "accept", by=UserFactory(municipal=True))
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.django_db
def test_create_opens_a_draft_with_its_transition():
    user = UserFactory(enterprise_user=True)
    template = ApplicationFactory.build(enterprise=user.enterprise)
    with transaction.atomic():
        application = workflow.create(template, by=user)
    assert Application.objects.get(pk=application.pk).status == "draft"
    assert list(application.transitions.values_list("from_status", "to_status")) == [("", "draft")]


# --- Notices -----------------------------------------------------------------------------------------


@pytest.fixture
def eager():
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


@pytest.mark.django_db
def test_notices_go_out_after_the_commit_to_the_row_audiences(eager, django_capture_on_commit_callbacks):
    application = ApplicationFactory(status="filed")
    enterprise_user = UserFactory(role=Role.ENTERPRISE, enterprise=application.enterprise)
    official = UserFactory(role=Role.DISTRICT, district=application.enterprise.district)
    municipal = UserFactory(municipal=True)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            workflow.transition(application, "filing_return", by=municipal, note="研发费用归集不实")
        assert not Notification.objects.exists()  # nothing before the commit
    rows = {n.user_id: n for n in Notification.objects.filter(kind="application_filing_return")}
    assert set(rows) == {enterprise_user.pk, official.pk}  # the enterprise and the district, not the office
    ours = rows[enterprise_user.pk]
    assert application.enterprise.name in ours.subject and "研发费用归集不实" in ours.body
    assert ours.url == f"/enterprise/applications/{application.pk}/"
    assert rows[official.pk].url == f"/district/applications/{application.pk}/"
    to_enterprise = [m for m in mail.outbox if m.to == [enterprise_user.email]]
    assert len(to_enterprise) == 1 and to_enterprise[0].subject == ours.subject
    assert f"/enterprise/applications/{application.pk}/" in to_enterprise[0].body


@pytest.mark.django_db
def test_a_rolled_back_transition_tells_nobody(django_capture_on_commit_callbacks):
    application = ApplicationFactory(status="submitted")
    UserFactory(role=Role.ENTERPRISE, enterprise=application.enterprise)
    official = UserFactory(role=Role.DISTRICT, district=application.enterprise.district)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.transition(application, "accept", by=official)
            raise RuntimeError
    assert not callbacks and not Notification.objects.exists()


@pytest.mark.django_db
def test_english_readers_get_english_notices(eager, django_capture_on_commit_callbacks):
    from notifications.models import NotificationPreference

    application = ApplicationFactory(status="submitted")
    reader = UserFactory(role=Role.ENTERPRISE, enterprise=application.enterprise)
    NotificationPreference.objects.create(user=reader, language="en")
    official = UserFactory(role=Role.DISTRICT, district=application.enterprise.district)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        workflow.transition(application, "accept", by=official)
    notice = Notification.objects.get(user=reader)
    assert "accepted" in notice.subject.lower()


@pytest.mark.django_db
def test_no_notice_names_an_expert(eager, django_capture_on_commit_callbacks):
    application = ApplicationFactory(status="under_review")
    enterprise_user = UserFactory(role=Role.ENTERPRISE, enterprise=application.enterprise)
    UserFactory(role=Role.DISTRICT, district=application.enterprise.district)
    UserFactory(municipal=True)
    expert = ExpertFactory(
        name="欧阳锋", user__first_name="锋", user__last_name="欧阳", user__username="ouyang"
    )
    draw = Draw.objects.create(
        application=application,
        seed="s",
        algorithm_version="draw-1",
        rules={},
        eligible_ids=[],
        excluded=[],
        panel=[],
        alternates=[],
        created_by=UserFactory(official=True),
    )
    Review.objects.create(
        draw=draw, application=application, expert=expert, kind=expert.kind, status="submitted"
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        workflow.transition(application, "review_complete", by=expert.user, note="综合评分 80 分")
    for t in workflow.TRANSITIONS:  # every row's wording, with the expert on the panel
        workflow.send_notices(t.name, application.pk)
    assert Notification.objects.filter(user=expert.user, kind="application_review_complete").exists()
    for_enterprise = Notification.objects.filter(user=enterprise_user)
    assert for_enterprise.count() == len(workflow.TRANSITIONS) + 1
    texts = [n.subject + n.body for n in for_enterprise] + [
        m.subject + m.body for m in mail.outbox if m.to == [enterprise_user.email]
    ]
    assert texts and not any(word in text for text in texts for word in ("欧阳", "ouyang", "80 分"))


# --- The procedure, drawn -------------------------------------------------------------------------------


def test_the_readme_shows_the_table():
    out = StringIO()
    call_command("procedure_diagram", stdout=out)
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- procedure:start -->\n", 1)[1].split("<!-- procedure:end -->", 1)[0]
    assert block == out.getvalue(), "README.md's procedure is stale: paste `manage.py procedure_diagram`"
    assert all(f"(`{t.name}`)" in block for t in workflow.TRANSITIONS)


@pytest.mark.django_db
def test_the_procedure_page_lists_every_row(client):
    client.force_login(UserFactory(official=True))
    page = client.get("/procedure/").content.decode()
    assert all(f'id="step-{t.name}"' in page for t in workflow.TRANSITIONS)
    assert "<script" not in page.split('<ol class="procedure">')[1].split("</ol>")[0]
