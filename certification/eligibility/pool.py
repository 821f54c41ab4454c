"""The candidate pool (备选库): enterprises' saved self-assessments and the district's cultivation marks."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from accounts.models import User
from certification.models import Enterprise, Field, PoolEntry, Readiness
from core.errors import InvalidInput
from core.search import name_or_code

MUNICIPAL_RULE_SET, NATIONAL_RULE_SET = "tianjin-2015", "national-2016"


def entry_for(enterprise: Enterprise) -> PoolEntry | None:
    return PoolEntry.objects.filter(enterprise=enterprise).select_related("field").first()


def readiness_of(failed: int) -> str:
    return Readiness.READY if failed == 0 else Readiness.CLOSE if failed == 1 else Readiness.FAR


def _failed(answer: dict) -> int:
    return sum(1 for c in answer["conditions"] if c["passed"] is False)


def pool_join(*, enterprise: Enterprise, by: User, payload: dict) -> PoolEntry:
    """Evaluate the self-assessment against both rule sets and save it as the enterprise's pool entry.

    Registration facts come from the enterprise record, not from the form.
    """
    from certification.eligibility.rules import evaluate_payload

    payload = {k: v for k, v in payload.items() if k != "rule_set"}
    payload["registered_on"] = enterprise.registered_on.isoformat()
    payload["registered_in_tianjin"] = True
    answer, errors = evaluate_payload({**payload, "rule_set": MUNICIPAL_RULE_SET})
    if errors:
        raise InvalidInput(errors)  # in the user's language
    # The record itself is kept in Chinese, the portal's language, whoever made it.
    with translation.override(settings.LANGUAGE_CODE):
        answer, _errors = evaluate_payload({**payload, "rule_set": MUNICIPAL_RULE_SET})
        national, _errors = evaluate_payload({**payload, "rule_set": NATIONAL_RULE_SET})
    assert answer is not None
    assert national is not None  # same body, only the rule set differs
    field = Field.objects.filter(catalogue__in_force=True, code=payload.get("field_code") or "").first()
    failed = _failed(answer)
    with transaction.atomic():
        entry, _created = PoolEntry.objects.select_for_update().update_or_create(
            enterprise=enterprise,
            defaults={
                "field": field,
                "payload": payload,
                "result": answer,
                "national_result": national,
                "eligible": answer["eligible"],
                "failed_count": failed,
                "national_failed_count": _failed(national),
                "readiness": readiness_of(failed),
            },
        )
    return entry


def pool_mark_cultivation(*, entry: PoolEntry, by: User, cultivation: bool, note: str = "") -> PoolEntry:
    """The district marks (or unmarks) an enterprise for focused cultivation (重点培育)."""
    with transaction.atomic():
        entry = PoolEntry.objects.select_for_update().get(pk=entry.pk)
        entry.cultivation = cultivation
        entry.cultivation_note = note.strip()[:200] if cultivation else ""
        entry._change_reason = f"cultivation={cultivation} by {by.username}"  # simple-history change reason
        entry.save(update_fields=["cultivation", "cultivation_note", "updated_at"])
    return entry


def district_pool(
    district_id: int, *, field_code: str = "", readiness: str = "", cultivation: str = "", query: str = ""
) -> QuerySet[PoolEntry]:
    qs = PoolEntry.objects.filter(enterprise__district_id=district_id).select_related(
        "enterprise", "field__parent"
    )
    if field_code:
        qs = qs.filter(field__code__startswith=field_code)
    if readiness in Readiness.values:
        qs = qs.filter(readiness=readiness)
    if cultivation in ("1", "0"):
        qs = qs.filter(cultivation=cultivation == "1")
    if query:
        qs = qs.filter(name_or_code(query, names=("enterprise__name",), codes=("enterprise__uscc",)))
    return qs.order_by("failed_count", "enterprise__name")
