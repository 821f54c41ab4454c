"""The expert's own pages: profile with declared relations (回避) and the confidentiality pledge (第十三条)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from core.web import form_errors
from experts.forms import PledgeForm, RelationForm
from experts.models import Expert
from experts.permissions import own_relations
from experts.services import pool as services

expert_only = role_required(Role.EXPERT)


def _own_expert(request: HttpRequest) -> Expert:
    expert = (
        Expert.objects.select_related("user")
        .prefetch_related("fields", "relations")
        .filter(user=request.user)
        .first()
    )
    if expert is None:
        # An expert account the office has not (yet) linked to a pool record.
        raise Http404(_("您的账户尚未登记到专家库，请联系市工作小组办公室。"))
    return expert


def _profile_page(request: HttpRequest, expert: Expert, relation_form: RelationForm) -> HttpResponse:
    return render(
        request,
        "experts/self/profile.html",
        {
            "expert": expert,
            "relations": list(expert.relations.all()),
            "relation_form": relation_form,
            "pledge": services.pledge_for(expert),
            "year": services.current_year(),
        },
    )


@expert_only
@require_safe
def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request, _own_expert(request), RelationForm())


@expert_only
@require_http_methods(["GET", "POST"])
def relation_add(request: HttpRequest) -> HttpResponse:
    expert = _own_expert(request)
    if request.method == "GET":
        return redirect("experts:profile")
    form = RelationForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            relation = services.relation_declare(expert=expert, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("已申报与 %(uscc)s 的回避关系，抽取专家时将不会安排您评审该企业的申请。")
                % {"uscc": relation.uscc},
            )
            return redirect("experts:profile")
    return _profile_page(request, expert, form)


@expert_only
@require_http_methods(["GET", "POST"])
def relation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    relation = get_object_or_404(own_relations(request.user), pk=pk)
    if request.method == "POST":
        services.relation_remove(relation=relation, by=request.user)
        messages.success(request, _("已撤销与 %(uscc)s 的回避关系。") % {"uscc": relation.uscc})
        return redirect("experts:profile")
    return render(request, "experts/self/relation_remove.html", {"relation": relation})


@expert_only
@require_http_methods(["GET", "POST"])
def pledge(request: HttpRequest) -> HttpResponse:
    expert = _own_expert(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = PledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        signed, created = services.pledge_sign_or_get(expert=expert, by=request.user)
        if created:
            messages.success(request, _("您已签署 %(year)s 年度保密承诺。") % {"year": signed.year})
        return redirect(next_url or "experts:pledge")
    return render(
        request,
        "experts/self/pledge.html",
        {
            "expert": expert,
            "form": form,
            "pledge": services.pledge_for(expert),
            "year": services.current_year(),
            "next": next_url,
        },
    )
