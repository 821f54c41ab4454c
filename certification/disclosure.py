"""What the enterprise (and an expert) may learn of the expert review (docs/domain.md “Expert review”).

The district and the municipal office see everything. Anybody else — the enterprise above all, and
the experts themselves — never learns an expert's identity nor a score that is not final:

- a history entry made by an expert shows its actor as “评审专家组”, never the expert's name or
  user name;
- the note and data of the review's completion (which carry the composite as it was then) are not
  shown; once the district has recorded its opinion the entry shows the FINAL composite and the
  pass/fail from the application instead (never a stale figure);
- ``composite_score``, ``review_passed`` and ``score_spread_flag`` are shown to the enterprise only
  once the district has recorded its opinion, and to an expert never.

Pages (enterprise application page, eligibility panel), the API (``ApplicationSerializer`` with the
request in its context), and the 申请书 PDF go through these functions.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role

EXPERT_PANEL = gettext_lazy("评审专家组")
SCORE_FIELDS = ("composite_score", "review_passed", "score_spread_flag")
_REVIEW_COMPLETE_TARGET = "reviewed"


def sees_everything(user: Any) -> bool:
    """The district and the municipal office (the access rules are the views' business)."""
    return getattr(user, "role", None) in (Role.DISTRICT, Role.MUNICIPAL)


def score_visible_to(user: Any, application: Any) -> bool:
    """May ``user`` see the application's composite and pass/fail?"""
    if sees_everything(user):
        return True
    if getattr(user, "role", None) == Role.ENTERPRISE:
        return application.opinion_at is not None and application.composite_score is not None
    return False


def actor_label(by: Any, viewer: Any) -> str:
    """The name of a history entry's actor as ``viewer`` may see it ("" when nobody: the system)."""
    if by is None:
        return ""
    if by.role == Role.EXPERT and not sees_everything(viewer):
        return str(EXPERT_PANEL)
    return by.display_name


def _final_score_note(application: Any) -> str:
    result = _("通过") if application.review_passed else _("未通过")
    return _("综合评分 %(score)s 分（%(result)s）") % {"score": application.composite_score, "result": result}


def history_entry(transition: Any, application: Any, viewer: Any) -> dict[str, Any]:
    """One transition as ``viewer`` may read it: ``{"at", "from_status", "to_status", "status_label",
    "actor", "by" (user name or the panel label), "note", "data"}``."""
    entry = {
        "at": transition.at,
        "from_status": transition.from_status,
        "to_status": transition.to_status,
        "status_label": transition.get_to_status_display(),
        "actor": actor_label(transition.by, viewer),
        "by": transition.by.username if transition.by_id else None,
        "note": transition.note,
        "data": transition.data,
    }
    if sees_everything(viewer):
        return entry
    if transition.by_id and transition.by.role == Role.EXPERT:
        entry["by"] = str(EXPERT_PANEL)
        entry["note"], entry["data"] = "", {}
    if transition.to_status == _REVIEW_COMPLETE_TARGET:
        entry["note"] = _final_score_note(application) if score_visible_to(viewer, application) else ""
        entry["data"] = {}
    return entry


def history_for(application: Any, viewer: Any, transitions: Any = None) -> list[dict[str, Any]]:
    """The application's history as ``viewer`` may read it (``transitions`` if already fetched)."""
    rows = list(application.transitions.all()) if transitions is None else list(transitions)
    return [history_entry(t, application, viewer) for t in rows]


def redact_application(data: dict[str, Any], application: Any, viewer: Any) -> dict[str, Any]:
    """An application's API answer as ``viewer`` may read it (scores and history)."""
    if sees_everything(viewer):
        return data
    if not score_visible_to(viewer, application):
        for key in SCORE_FIELDS:
            if key in data:
                data[key] = None if key != "score_spread_flag" else False
    elif "score_spread_flag" in data:
        data["score_spread_flag"] = False  # the panel's internal spread is the district's business
    if "transitions" in data:
        data["transitions"] = [
            {k: entry[k] for k in ("from_status", "to_status", "by", "at", "note", "data")}
            for entry in history_for(application, viewer)
        ]
    return data
