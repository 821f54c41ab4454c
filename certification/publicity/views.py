"""The public side of publicity (第十条（4）): open notices, the notice as PDF, real-name objections, tracking.

No login. Every write goes through :mod:`certification.publicity`; these views parse input and render.
The objection form shares the API's rate limit (``ObjectionRateThrottle``: same rate, same counter, per
client address), so switching between the form and the API does not double anyone's allowance.
"""

from __future__ import annotations

from functools import partial
from itertools import groupby
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from certification.models import NoticeKind, NoticeStatus, Objection, PublicityNotice
from certification.publicity import selectors
from certification.publicity import services as publicity
from certification.publicity.api.views import ObjectionRateThrottle
from config.throttling import Refusal, address_refusal
from core.freshness import fingerprint
from core.pdf import pdf_response, render_pdf
from core.real_name import RealNameForm, TrackingNumberForm
from core.web import public_submission, tracking_lookup

PAGE_SIZE = 25
NOTICE_PDF_TEMPLATE = "pdf/publicity_notice.html"
NOTICE_PDF_CACHE_SECONDS = 600  # a public, unauthenticated render of ~0.3 s: keep one copy for a while
OBJECTION_SCOPE = "objections"  # the API's throttle_scope: one counter for the form and the API
TRACK_MISS_SCOPE = (
    "objection-track-miss"  # unknown tracking numbers only: guessing is limited, checking is not
)
DONE_SESSION_KEY = "objection_done"


# --- The rate limit ---------------------------------------------------------------------------


def rate_limited(request: HttpRequest, scope: str) -> Refusal | None:
    """Count this request against ``scope`` on the API's counter; a :class:`Refusal` when over the limit."""
    return address_refusal(request, ObjectionRateThrottle, scope)


def refusal_message(refusal: Refusal) -> str:
    return _(
        "提交过于频繁：同一网络地址%(period)s最多提交 %(n)s 次。请约 %(minutes)s 分钟后再试；"
        "如确有多项异议，可在一次提交中写明。"
    ) % {"period": refusal.period, "n": refusal.limit, "minutes": refusal.wait_minutes}


def track_refusal_message(refusal: Refusal) -> str:
    return _(
        "查询过于频繁：同一网络地址%(period)s最多查询 %(n)s 个不存在的编号。请核对编号，约 %(minutes)s 分钟后再试。"
    ) % {"period": refusal.period, "n": refusal.limit, "minutes": refusal.wait_minutes}


# --- Notices ----------------------------------------------------------------------------------


def _public_notices():  # type: ignore[no-untyped-def]
    # Published notices stay public after they close (the record of what was published); the list
    # shows only open ones, like GET /api/v1/publicity/.
    return selectors.notices_with_entries(PublicityNotice.objects.all())


LIST_PAGE_SIZE = 50  # entries per page of the public list (all open notices together)
LIST_CACHE_SECONDS = 600  # a bound on staleness should a change bypass the history


@require_safe
def publicity_list(request: HttpRequest) -> HttpResponse:
    """The public list, paginated by entry (the 435 ms / 207 KiB page of every entry at once is gone):
    three queries per page (the count, the page's ids, its rows) whatever the number of notices and
    entries (selectors.open_entry_ids says why the ids come first).

    The list is the same for every visitor: a page without a search is rendered once for each state
    of the rows it shows (core.freshness), day and language, and served from the cache until then."""
    q = " ".join(request.GET.get("q", "").split())[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in NoticeKind.values else ""
    number = request.GET.get("page", "")
    today = timezone.localdate()
    key = None
    if not q:  # searches are not kept: their keys would be as many as the texts typed
        page_key = number if number.isdigit() and len(number) <= 4 else "1"
        tracked = fingerprint(selectors.open_entries_shown_from())
        key = (
            f"publicity-list:v1:{translation.get_language()}:{today.isoformat()}:{kind}:{page_key}:{tracked}"
        )
        shown = cache.get(key)
        if shown is not None:
            return _render_publicity_list(request, shown, q, kind)
    page = Paginator(selectors.open_entry_ids(q=q, kind=kind), LIST_PAGE_SIZE).get_page(number)
    page.object_list = selectors.entries_by_ids(list(page.object_list))
    groups = []  # consecutive entries of one notice share a heading
    for _notice, entries in groupby(page.object_list, key=lambda e: e.notice_id):
        entries = list(entries)
        notice = entries[0].notice
        groups.append(
            {
                "notice": notice,
                "entries": entries,
                "accepting": publicity.notice_is_open_for_objections(notice, today),
                "first": page.start_index() + sum(len(g["entries"]) for g in groups),
            }
        )
    html = render_to_string(
        "public/_publicity_groups.html", {"groups": groups, "page": page, "query": q, "kind": kind}
    )
    shown = {"count": page.paginator.count, "html": html}
    if key is not None:
        cache.set(key, shown, LIST_CACHE_SECONDS)
    return _render_publicity_list(request, shown, q, kind)


def _render_publicity_list(request: HttpRequest, shown: dict[str, Any], q: str, kind: str) -> HttpResponse:
    kinds = [("", _("全部")), *NoticeKind.choices]
    return render(
        request,
        "public/publicity_list.html",
        {
            "count": shown["count"],
            # Rendered by this module from the template, escaped there.
            "groups_html": mark_safe(shown["html"]),
            "query": q,
            "kind": kind,
            "kinds": kinds,
        },
    )


@require_safe
def publicity_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(_public_notices(), pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "public/publicity_notice.html",
        {
            "notice": notice,
            "entries": list(notice.entries.all()),
            "accepting": publicity.notice_is_open_for_objections(notice, today),
            "not_started": notice.status == NoticeStatus.OPEN and today < notice.start,
        },
    )


def notice_pdf_context(notice: PublicityNotice) -> dict[str, Any]:
    site = settings.SITE_URL
    return {
        "notice": notice,
        "entries": list(notice.entries.all()),
        "government": notice.district.government_name or notice.district.name,
        "notice_url": site + reverse("publicity_notice", args=[notice.pk]),
        "track_url": site + reverse("objection_track"),
        "site_url": site,
        "issued_on": timezone.localdate(timezone.localtime(notice.created_at)),
    }


@require_safe
def publicity_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(_public_notices(), pk=pk)
    key = (
        f"publicity-notice-pdf:{notice.pk}:{notice.status}:{notice.end.isoformat()}:{notice.end_confirmed}:"
        f"{translation.get_language()}"
    )
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(NOTICE_PDF_TEMPLATE, notice_pdf_context(notice))
        cache.set(key, pdf, NOTICE_PDF_CACHE_SECONDS)
    filename = _("%(district)s高新技术企业拟认定名单公示-%(start)s.pdf") % {
        "district": notice.district.name,
        "start": notice.start.isoformat(),
    }
    return pdf_response(pdf, filename, ascii_filename=f"publicity-notice-{notice.pk}.pdf", inline=True)


# --- Objections -------------------------------------------------------------------------------


class ObjectionForm(RealNameForm):
    """Shape only; :func:`certification.publicity.services.objection_file` decides what a valid objection is.

    The honeypot ``website`` is not a form field: the template renders it hidden from people, and
    the view refuses any submission that fills it before this form is even looked at.
    """

    field_order = ["application", "name", "phone", "reason", "evidence"]

    application = forms.TypedChoiceField(
        label=gettext_lazy("异议对象（公示企业）"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("请选择对哪家公示企业提出异议。"),
            "invalid_choice": gettext_lazy("该企业不在本次公示名单中。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("异议理由"),
        max_length=5000,
        error_messages={"required": gettext_lazy("请写明异议理由。")},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "写明异议所针对的事实（10 至 5000 字），例如知识产权权属、研发费用、人员情况等。"
        ),
    )

    def __init__(self, *args: Any, notice: PublicityNotice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", _("— 请选择 —"))] + [
            (e.application_id, f"{e.display_name}（{e.application.enterprise.uscc}）")
            for e in notice.entries.all()
        ]


def _objection_page(
    request: HttpRequest,
    notice: PublicityNotice,
    form: ObjectionForm | None,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "public/objection_form.html",
        {
            "notice": notice,
            "form": form,
            "error": error,
            "accepting": publicity.notice_is_open_for_objections(notice),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(_public_notices(), pk=pk)
    if request.method == "GET":
        form = ObjectionForm(notice=notice, initial={"application": request.GET.get("application", "")})
        return _objection_page(request, notice, form)
    refusal = rate_limited(request, OBJECTION_SCOPE)  # every POST counts, as in the API

    def file(data: dict[str, Any]) -> Objection:
        entry = next(e for e in notice.entries.all() if e.application_id == data["application"])
        return publicity.objection_file(
            entry=entry,
            name=data["name"],
            phone=data["phone"],
            reason=data["reason"],
            evidence=data.get("evidence"),
        )

    objection = public_submission(
        request,
        refusal=refusal_message(refusal) if refusal is not None else "",
        make_form=partial(ObjectionForm, notice=notice),
        page=partial(_objection_page, request, notice),
        submit=file,
    )
    if isinstance(objection, HttpResponse):
        return objection
    # Post/redirect/get: a reload of the result page must not file the objection twice.
    request.session[DONE_SESSION_KEY] = {"notice": notice.pk, "number": objection.tracking_number}
    return redirect("objection_done", pk=notice.pk)


@never_cache
@require_safe
def objection_done(request: HttpRequest, pk: int) -> HttpResponse:
    done = request.session.get(DONE_SESSION_KEY) or {}
    if done.get("notice") != pk:
        return redirect("publicity_notice", pk=pk)
    notice = get_object_or_404(PublicityNotice.objects.select_related("district"), pk=pk)
    return render(
        request, "public/objection_done.html", {"notice": notice, "tracking_number": done["number"]}
    )


class TrackForm(TrackingNumberForm):
    required_message = gettext_lazy("请填写提交异议时得到的查询编号。")
    placeholder = "YY…"


@never_cache
@require_safe
def objection_track(request: HttpRequest) -> HttpResponse:
    """Status and finding by tracking number; never the objector's name or phone."""
    form = TrackForm(request.GET if "number" in request.GET else None)

    def over_limit() -> str:
        refusal = rate_limited(request, TRACK_MISS_SCOPE)
        return track_refusal_message(refusal) if refusal is not None else ""

    result, status = tracking_lookup(form, find=_objection_status, over_limit=over_limit)
    return render(request, "public/objection_track.html", {"form": form, "result": result}, status=status)


def _objection_status(number: str) -> dict[str, Any] | None:
    objection = (
        Objection.objects.select_related(
            "entry__application__enterprise", "entry__notice__district", "entry__change"
        )
        .filter(tracking_number=number)
        .first()
    )
    if objection is None:
        return None
    # Only these fields reach the template: the objector's identity cannot leak from it.
    return {
        "tracking_number": objection.tracking_number,
        "status": objection.status,
        "status_label": objection.get_status_display(),
        "finding": objection.finding,
        "decided_at": objection.decided_at,
        "created_at": objection.created_at,
        "enterprise_name": objection.entry.display_name,
        "notice_title": objection.entry.notice.title,
    }
