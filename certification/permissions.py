"""Which applications a user may see: one queryset used by every list, detail, download and API view."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Role
from certification.models import Application, ApplicationStatus, Certificate


def applications_visible_to(user) -> QuerySet[Application]:  # type: ignore[no-untyped-def]
    qs = Application.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role == Role.DISTRICT:
        # A district sees its enterprises' applications once they are submitted; drafts stay private.
        return qs.filter(enterprise__district_id=user.district_id).exclude(status=ApplicationStatus.DRAFT)
    if user.role == Role.MUNICIPAL:
        return qs.exclude(status=ApplicationStatus.DRAFT)
    if user.role == Role.EXPERT:
        # Experts see only the applications they are assigned to (and have not declined), and none
        # before this year's confidentiality pledge (第十三条): every read of application material
        # (detail, documents, eligibility, 申请书, API or browser) passes here, so this one check
        # answers them all with a 403 that says why.
        from experts.models import Review, ReviewStatus
        from experts.permissions import require_pledge

        require_pledge(user)

        assigned = Review.objects.filter(application=OuterRef("pk"), expert__user=user).exclude(
            status=ReviewStatus.DECLINED
        )
        return qs.filter(Exists(assigned))
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
