"""Export pages for the office (/municipal/exports/…, `audits` namespace) and the districts
(/district/exports/…, `districts` namespace): the same views, scoped by :mod:`audits.exports`.

``exports/<list>.<xlsx|csv>?<the list page's filters>`` answers with the file, or — over
:func:`audits.exports.sync_max_rows` rows — starts a background job and redirects to its status page,
which refreshes itself (``<meta http-equiv="refresh">``, no script) until the download link appears.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import Role
from accounts.permissions import role_required
from audits import exports
from audits.tasks import export_file_name, export_job, export_start


def _index(request: HttpRequest, ns: str) -> HttpResponse:
    lists = []
    for spec in exports.lists_for(request.user):
        lists.append(
            {
                "spec": spec,
                "filters": [
                    {"key": f.key, "label": f.label, "choices": f.choices() if f.choices else None}
                    for f in spec.filters_for(request.user)
                ],
            }
        )
    return render(
        request,
        "audits/exports.html",
        {"lists": lists, "ns": ns, "sync_max": exports.sync_max_rows()},
    )


def _attachment(response: HttpResponse, filename: str, fallback: str) -> HttpResponse:
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export(request: HttpRequest, name: str, fmt: str, ns: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    try:
        spec = exports.get_list(name, request.user)
        params = exports.clean_params(spec, request.user, request.GET)
        qs = spec.build(request.user, params)
    except exports.NotVisible:
        raise Http404 from None
    total = qs.count()
    if total > exports.sync_max_rows():
        job_id = export_start(by=request.user, name=name, fmt=fmt, params=params, total=total)
        return redirect(f"{ns}:export_status", job_id=job_id)
    buffer = io.BytesIO()  # at most sync_max_rows() rows: small enough to hold
    exports.write_export(
        spec, exports.iterate(qs), fmt, buffer, filters=exports.describe_filters(spec, request.user, params)
    )
    response = HttpResponse(buffer.getvalue(), content_type=exports.content_type(fmt))
    return _attachment(response, *exports.file_name(spec, fmt))


def _own_job(request: HttpRequest, job_id: str) -> dict[str, Any]:
    """The job if the signed-in user started it, else 404."""
    state = export_job(job_id)
    if state is None or state.get("user_id") != request.user.pk:
        raise Http404
    return state


def _status(request: HttpRequest, job_id: str, ns: str) -> HttpResponse:
    state = _own_job(request, job_id)
    spec = exports.EXPORTS.get(state["name"])
    running = state["state"] in ("queued", "running")
    percent = int(state["done"] * 100 / state["total"]) if state["total"] else 0
    return render(
        request,
        "audits/export_status.html",
        {
            "job_id": job_id,
            "job": state,
            "spec": spec,
            "running": running,
            "percent": percent,
            "ns": ns,
            "download_url": reverse(f"{ns}:export_download", args=[job_id]),
        },
    )


def _download(request: HttpRequest, job_id: str) -> HttpResponse:
    state = _own_job(request, job_id)
    name = state.get("file") or export_file_name(job_id, state["fmt"])
    if state["state"] != "done" or not default_storage.exists(name):
        raise Http404
    spec = exports.EXPORTS[state["name"]]
    response = FileResponse(default_storage.open(name, "rb"), content_type=exports.content_type(state["fmt"]))
    return _attachment(response, *exports.file_name(spec, state["fmt"]))


def _views(role: str, ns: str) -> tuple[Callable[..., HttpResponse], ...]:
    guard = role_required(role)

    @guard
    @require_safe
    def index(request: HttpRequest) -> HttpResponse:
        return _index(request, ns)

    @guard
    @require_safe
    def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
        return _export(request, name, fmt, ns)

    @never_cache
    @guard
    @require_safe
    def status(request: HttpRequest, job_id: str) -> HttpResponse:
        return _status(request, job_id, ns)

    @never_cache
    @guard
    @require_safe
    def download(request: HttpRequest, job_id: str) -> HttpResponse:
        return _download(request, job_id)

    return index, export, status, download


office_exports, office_export, office_export_status, office_export_download = _views(Role.MUNICIPAL, "audits")
district_exports, district_export, district_export_status, district_export_download = _views(
    Role.DISTRICT, "districts"
)
