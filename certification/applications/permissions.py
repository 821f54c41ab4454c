"""Which applications a user may see: one queryset used by every list, detail, download and API view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from accounts.models import Role
from certification.models import Application, ApplicationStatus, Certificate

# Roles whose reading rule another app owns: role → rule(user, applications) → the applications that user
# may read. experts registers the expert's (panel membership and the pledge) in ExpertsConfig.ready().
ReaderRule = Callable[[Any, QuerySet[Application]], QuerySet[Application]]
_reader_rules: dict[str, ReaderRule] = {}
# Gates in front of an application's material (documents, the 申请书): each raises PermissionDenied with
# the reason, or returns. experts registers the confidentiality pledge (第十三条).
MaterialGate = Callable[[Any], None]
_material_gates: list[MaterialGate] = []


def register_reader_rule(role: str, rule: ReaderRule) -> None:
    """Called from an ``AppConfig.ready()``: the applications a user of ``role`` may read."""
    _reader_rules[role] = rule


def register_material_gate(gate: MaterialGate) -> None:
    """Called from an ``AppConfig.ready()``; registering the same gate twice keeps one."""
    if gate not in _material_gates:
        _material_gates.append(gate)


def require_material_access(user) -> None:  # type: ignore[no-untyped-def]
    """Every registered gate, before a user opens an application's material (raises PermissionDenied)."""
    for gate in _material_gates:
        gate(user)


def applications_visible_to(user) -> QuerySet[Application]:  # type: ignore[no-untyped-def]
    qs = Application.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role == Role.DISTRICT:
        # A district sees its enterprises' applications once they are submitted; drafts stay private.
        return qs.filter(district_id=user.district_id).exclude(status=ApplicationStatus.DRAFT)
    if user.role == Role.MUNICIPAL:
        return qs.exclude(status=ApplicationStatus.DRAFT)
    # Experts see only the applications they are assigned to (and have not declined), and none
    # before this year's confidentiality pledge (第十三条): every read of application material
    # (detail, documents, eligibility, 申请书, API or browser) passes here, so this one check
    # answers them all with a 403 that says why. The rule is experts' (experts.permissions).
    rule = _reader_rules.get(user.role)
    if rule is not None:
        return rule(user, qs)
    return qs.none()


def applications_editable_by(user) -> QuerySet[Application]:  # type: ignore[no-untyped-def]
    """Only the enterprise's own users write to an application, and only while it is a draft or returned."""
    if not user.is_authenticated or user.role != Role.ENTERPRISE:
        return Application.objects.none()
    return Application.objects.filter(enterprise_id=user.enterprise_id)


def certificates_visible_to(user) -> QuerySet[Certificate]:  # type: ignore[no-untyped-def]
    """The enterprise its own certificates, a district official its district's, the office all.

    Used by the certificate pages, the PDF download (browser and API), the lifecycle pages and the
    exports alike; anything outside it is a 404 (docs/layout.md, `permissions.py`).
    """
    qs = Certificate.objects.select_related("district")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role == Role.DISTRICT and user.district_id:
        return qs.filter(district_id=user.district_id)
    if user.role == Role.MUNICIPAL:
        return qs
    return qs.none()
